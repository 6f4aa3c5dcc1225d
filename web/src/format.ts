/** Number and date formatting for the dashboard (one place, so tables and charts agree). */
export const int = (n: number | null | undefined): string =>
  n === null || n === undefined ? '–' : Math.round(n).toLocaleString('en-US');

export function compact(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(0)}k`;
  return int(n);
}

export const pct = (x: number | null | undefined): string =>
  x === null || x === undefined ? '–' : `${Math.round(x * 100)}%`;

export function num(x: number | string | null | undefined): string {
  if (x === null || x === undefined) return '–';
  if (typeof x === 'string') return x;
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  return String(Math.round(x * 1000) / 1000);
}

export const score = (x: number | null | undefined): string =>
  x === null || x === undefined ? '–' : x.toFixed(2);
export const day = (iso: string): string => iso.slice(0, 10);
export const when = (iso: string): string => iso.replace('T', ' ').slice(0, 19);

/** Metric names of the account page, in words. */
export const METRIC_NAMES: Readonly<Record<string, string>> = {
  exchanges: 'exchanges',
  output_tokens: 'output tokens',
  output_per_input: 'output tokens per input token',
  mean_output_tokens: 'output tokens per exchange',
  reasoning_share: 'share with extended reasoning',
  single_turn_share: 'share single-turn',
  error_share: 'share of errors',
  distinct_ips: 'distinct IP addresses',
  distinct_user_agents: 'distinct user agents',
  active_days: 'active days',
  peak_hour: 'most exchanges in one hour',
  exchanges_per_active_day: 'exchanges per active day',
};

export const SHARE_METRICS = new Set(['reasoning_share', 'single_turn_share', 'error_share']);

/** Colours of capabilities (charts and mix bars), stable across views. */
export const CAPABILITY_COLORS: Readonly<Record<string, string>> = {
  reasoning: '#4e79a7',
  coding: '#f28e2b',
  tool_use: '#e15759',
  data_analysis: '#76b7b2',
  math: '#59a14f',
  vision: '#edc948',
  grading: '#b07aa1',
  policy_rewrite: '#ff9da7',
  creative: '#9c755f',
  general_chat: '#bab0ac',
  other: '#d4d4d4',
};

export const VERDICT_COLORS: Readonly<Record<string, string>> = {
  clear: '#9bbf85',
  watch: '#f1c75b',
  throttle: '#f28e2b',
  block: '#d1495b',
};
