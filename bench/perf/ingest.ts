/**
 * Ingest throughput: `ingestFiles` into a fresh DuckDB file against DuckDB's own
 * `read_json` of the same file, in the same run.
 *
 *   npm run build && node dist/bench/perf/ingest.js [--n 1000000] [--n-prompt 250000]
 *     [--dir /tmp/dg-bench-ingest] [--results bench/results/ingest.md] [--repeat 1]
 *
 * Two inputs are generated (deterministic, seeded): N exchanges without prompt text and
 * N_PROMPT exchanges carrying a prompt (real user prompts from ../shared/data when found,
 * else synthetic text). Each measurement runs in a child process, so that its peak RSS is
 * its own. Writes a Markdown report with the machine, the command and the numbers.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance, version as duckdbVersion } from '@duckdb/node-api';
import { mulberry32 } from '../../src/rng/index.js';
import { ingestFiles, openDuckDbStore } from '../../src/store/index.js';

const HERE = fileURLToPath(import.meta.url);
/** Project root: dist/bench/perf/ingest.js → three levels up. */
const ROOT = resolve(dirname(HERE), '..', '..', '..');

interface Args {
  n: number;
  nPrompt: number;
  dir: string;
  results: string;
  repeat: number;
  seed: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    n: 1_000_000,
    nPrompt: 250_000,
    dir: '/tmp/dg-bench-ingest',
    results: join(ROOT, 'bench', 'results', 'ingest.md'),
    repeat: 1,
    seed: 7,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--n') args.n = Number(value);
    else if (flag === '--n-prompt') args.nPrompt = Number(value);
    else if (flag === '--dir') args.dir = value;
    else if (flag === '--results') args.results = resolve(value);
    else if (flag === '--repeat') args.repeat = Number(value);
    else if (flag === '--seed') args.seed = Number(value);
    else throw new Error(`unknown flag ${flag}`);
  }
  return args;
}

function loadPrompts(rnd: () => number): string[] {
  const path = resolve(ROOT, '..', 'shared', 'data', 'prompts', 'human.jsonl.gz');
  if (existsSync(path)) {
    const lines = gunzipSync(readFileSync(path)).toString('utf8').trim().split('\n');
    return lines.map((l) => (JSON.parse(l) as { text: string }).text);
  }
  const words = [
    'explain',
    'the',
    'proof',
    'of',
    'a',
    'theorem',
    'step',
    'by',
    'write',
    'python',
    'code',
    'for',
    'sorting',
  ];
  return Array.from({ length: 2000 }, () =>
    Array.from({ length: 20 + Math.floor(rnd() * 200) }, () => words[Math.floor(rnd() * words.length)]).join(
      ' ',
    ),
  );
}

/** Writes `n` exchanges as JSON Lines; realistic field set and value shapes. */
function generate(path: string, n: number, seed: number, withPrompt: boolean): void {
  const rnd = mulberry32(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)] as T;
  const hex = (len: number) => {
    let s = '';
    for (let i = 0; i < len; i++) s += '0123456789abcdef'[Math.floor(rnd() * 16)];
    return s;
  };
  const prompts = withPrompt ? loadPrompts(rnd) : [];
  const models = ['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5', 'claude-sonnet-4-5-thinking'];
  const endpoints = ['messages', 'messages', 'messages', 'chat.completions', 'batch'];
  const agents = [
    'anthropic-python/0.40.0',
    'anthropic-typescript/0.32.1',
    'python-requests/2.32.3',
    'curl/8.5.0',
    'OpenAI/Python 1.54.4',
  ];
  const tls = Array.from({ length: 60 }, () => `t13d1516h2_${hex(12)}_${hex(12)}`);
  const accounts = 20_000;
  let ts = Date.UTC(2026, 9, 1);
  const chunks: string[] = [];
  let part: string[] = [];
  for (let i = 0; i < n; i++) {
    ts += Math.floor(rnd() * 6);
    const a = Math.floor(rnd() ** 2 * accounts);
    const r: Record<string, unknown> = {
      ts: new Date(ts).toISOString(),
      account_id: `acct_${a.toString(36).padStart(5, '0')}`,
      ip: `${(a % 200) + 20}.${(a >> 3) % 256}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`,
      request_id: `req_${i.toString(16).padStart(8, '0')}${hex(16)}`,
      api_key_id: `key_${a.toString(36)}_${Math.floor(rnd() * 3)}`,
      user_agent: pick(agents),
      tls_fingerprint: pick(tls),
      endpoint: pick(endpoints),
      model: pick(models),
      input_tokens: Math.floor(rnd() * 6000),
      output_tokens: Math.floor(rnd() * 3000),
      status: rnd() < 0.97 ? 200 : 429,
      latency_ms: Math.round(rnd() * 400_000) / 10,
      turns: 1 + Math.floor(rnd() * 6),
      tool_count: Math.floor(rnd() * 4),
      reasoning: rnd() < 0.3,
      max_tokens: 4096,
      temperature: Math.round(rnd() * 10) / 10,
      prompt_fingerprint: hex(16),
    };
    if (rnd() < 0.25) r.end_user_id = `user_${Math.floor(rnd() * 100_000)}`;
    if (withPrompt) r.prompt = pick(prompts);
    part.push(JSON.stringify(r));
    if (part.length === 10_000) {
      chunks.push(`${part.join('\n')}\n`);
      part = [];
    }
  }
  if (part.length > 0) chunks.push(`${part.join('\n')}\n`);
  writeFileSync(path, chunks.join(''));
}

interface Measure {
  seconds: number;
  rows: number;
  peakRssMb: number;
}

function fresh(db: string): void {
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
}

/** Child process: one measurement, printed as JSON on stdout. */
async function child(mode: string, file: string, db: string): Promise<void> {
  fresh(db);
  const t0 = performance.now();
  let rows = 0;
  if (mode === 'ingest') {
    const store = await openDuckDbStore(db);
    const sum = await ingestFiles(store, [file], { kind: 'exchanges' });
    await store.close();
    rows = sum.total.accepted;
    if (sum.total.read !== rows)
      throw new Error(`expected every record accepted: ${JSON.stringify(sum.total)}`);
  } else {
    const instance = await DuckDBInstance.create(db);
    const conn = await instance.connect();
    await conn.run(
      `CREATE TABLE t AS SELECT * FROM read_json('${file.replaceAll("'", "''")}', format='newline_delimited')`,
    );
    const r = await conn.runAndReadAll('SELECT count(*)::DOUBLE FROM t');
    rows = Number(r.getRows()[0]?.[0]);
    conn.closeSync();
    instance.closeSync();
  }
  const seconds = (performance.now() - t0) / 1000;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ seconds, rows, peakRssMb } satisfies Measure));
}

function measure(mode: 'ingest' | 'read_json', file: string, db: string): Measure {
  const out = execFileSync(process.execPath, [HERE, '--child', mode, file, db], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  fresh(db);
  return JSON.parse(out) as Measure;
}

function best(runs: Measure[]): Measure {
  return runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === '--child') {
    await child(argv[1] ?? '', argv[2] ?? '', argv[3] ?? '');
    return;
  }
  const args = parseArgs(argv);
  mkdirSync(args.dir, { recursive: true });
  const load0 = loadavg();
  const inputs = [
    {
      label: 'without prompt text',
      file: join(args.dir, 'exchanges-noprompt.jsonl'),
      n: args.n,
      prompt: false,
    },
    {
      label: 'with prompt text',
      file: join(args.dir, 'exchanges-prompt.jsonl'),
      n: args.nPrompt,
      prompt: true,
    },
  ].filter((i) => i.n > 0);
  const rows: string[] = [];
  const details: string[] = [];
  for (const input of inputs) {
    process.stderr.write(
      `generating ${input.n.toLocaleString('en-US')} exchanges ${input.label} → ${input.file}\n`,
    );
    generate(input.file, input.n, args.seed, input.prompt);
    const mb = statSync(input.file).size / 1e6;
    const ing: Measure[] = [];
    const duck: Measure[] = [];
    for (let r = 0; r < args.repeat; r++) {
      // alternate, so that a burst of load on the shared machine does not hit only one side
      ing.push(measure('ingest', input.file, join(args.dir, 'ingest.duckdb')));
      duck.push(measure('read_json', input.file, join(args.dir, 'read_json.duckdb')));
      process.stderr.write(
        `  run ${r + 1}: ingestFiles ${ing.at(-1)?.seconds.toFixed(2)} s, read_json ${duck.at(-1)?.seconds.toFixed(2)} s\n`,
      );
    }
    const a = best(ing);
    const b = best(duck);
    const rate = (m: Measure) => Math.round(m.rows / m.seconds).toLocaleString('en-US');
    rows.push(
      `| ${input.label} | ${input.n.toLocaleString('en-US')} | ${mb.toFixed(0)} | ${a.seconds.toFixed(2)} | ${rate(a)} | ${a.peakRssMb.toFixed(0)} | ${b.seconds.toFixed(2)} | ${rate(b)} | ${b.peakRssMb.toFixed(0)} | ${(a.seconds / b.seconds).toFixed(2)} |`,
    );
    details.push(
      `- ${input.label}: ingestFiles ${ing.map((m) => m.seconds.toFixed(2)).join(', ')} s; read_json ${duck.map((m) => m.seconds.toFixed(2)).join(', ')} s`,
    );
    rmSync(input.file, { force: true });
  }
  const cpu = cpus();
  const report = `# Ingest throughput

Generated by \`bench/perf/ingest.ts\`; do not edit by hand.

- date: ${new Date().toISOString()}
- command: \`node dist/bench/perf/ingest.js ${argv.join(' ')}\`
- machine: ${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, DuckDB ${duckdbVersion()}
- load average at start: ${load0.map((l) => l.toFixed(2)).join(' ')} (a shared machine: other work was running)

Both sides start from the same JSON Lines file and end with a table in a fresh DuckDB
file. \`ingestFiles\` validates every record (formats), drops duplicates (by
request_id, else a content hash), keeps unknown fields, writes rejects; \`read_json\` is
\`CREATE TABLE t AS SELECT * FROM read_json(file, format='newline_delimited')\` with nothing
checked. Best of ${args.repeat} run(s); each measurement in its own process (peak RSS = that process).

| input | exchanges | MB | ingestFiles s | rows/s | peak RSS MB | read_json s | rows/s | peak RSS MB | ratio |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

All runs:
${details.join('\n')}
`;
  mkdirSync(dirname(args.results), { recursive: true });
  writeFileSync(args.results, report);
  process.stdout.write(report);
}

await main(process.argv.slice(2));
