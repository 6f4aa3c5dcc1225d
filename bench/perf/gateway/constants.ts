/** The API key and account the benchmark's load generator calls the gateway with. */
export const BENCH_KEY = 'sk-bench-0000';
export const BENCH_ACCOUNT = 'acct_bench';
