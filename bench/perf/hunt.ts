/**
 * `hunt` speed and memory: reported-2026 at several sizes (default ~1M, ~2M, ~4M exchanges;
 * `--scales 0.25` adds the issue's full point, 11.7M exchanges in our simulator), each stored
 * once in DuckDB, then in a fresh child process per point: a bare `SELECT account_id, count(*)
 * … GROUP BY account_id` over the same table (the yardstick, best of 3), then the whole hunt
 * with its outputs (verdicts, campaigns, exchange verdicts, report). Peak RSS is the child's
 * own (process.resourceUsage().maxRSS). Writes bench/results/hunt.md.
 *
 * Run: npm run bench:hunt [-- --scales 0.0214,0.0428,0.0855 --seed 11 --dir /tmp/distillguard-bench-hunt]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { packageRoot, simulate } from '../../sim/index.js';
import { HUNT_MEMORY_LIMIT } from '../../src/cli/hunt.js';
import { hunt, writeHuntOutputs } from '../../src/engine/index.js';
import { ingestFiles, openDuckDbStore, type YardstickQuery } from '../../src/store/index.js';

/** ~1M, ~2M and ~4M exchanges of reported-2026 (11.69M at scale 0.25 with seed 7). */
const DEFAULT_SCALES = [0.0214, 0.0428, 0.0855];

interface Point {
  scale: number;
  exchanges: number;
  accounts: number;
  bareSeconds: number;
  /** Two irreducible pieces of what the issue asks hunt to compute, alone (best of 3). */
  distinctIpsSeconds: number;
  gapsSeconds: number;
  huntSeconds: number;
  maxRssMb: number;
  stages: { stage: string; seconds: number }[];
  ingestSeconds: number;
}

/** Child: bare GROUP BY (best of 3), then hunt + outputs; prints JSON. */
async function child(db: string, out: string): Promise<void> {
  const store = await openDuckDbStore(db, { config: { memory_limit: HUNT_MEMORY_LIMIT } });
  const source = store.features();
  const best = async (what: YardstickQuery): Promise<number> => {
    let s = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await source.bareGroupBy(what);
      s = Math.min(s, (performance.now() - t) / 1000);
    }
    return s;
  };
  const bare = await best('count');
  const distinctIps = await best('distinct_ips');
  const gaps = await best('gaps');
  const t0 = performance.now();
  const result = await hunt(source, { seed: 1 });
  await writeHuntOutputs(result, source, out, {
    source: db,
    command: 'bench:hunt',
    generatedAt: new Date(0).toISOString(),
  });
  const huntSeconds = (performance.now() - t0) / 1000;
  await store.close();
  process.stdout.write(
    JSON.stringify({
      exchanges: result.exchanges,
      accounts: result.verdicts.length,
      bareSeconds: bare,
      distinctIpsSeconds: distinctIps,
      gapsSeconds: gaps,
      huntSeconds,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      stages: result.timings,
    }),
  );
}

async function prepare(
  dir: string,
  scale: number,
  seed: number,
): Promise<{ db: string; ingestSeconds: number }> {
  const data = join(dir, `scale-${scale}`);
  const db = join(dir, `scale-${scale}.duckdb`);
  const marker = `${db}.done`;
  if (existsSync(marker)) return { db, ingestSeconds: Number.NaN };
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  process.stderr.write(`simulating reported-2026 at scale ${scale}…\n`);
  await simulate({ scenario: 'reported-2026', seed, scale, out: data });
  process.stderr.write('ingesting…\n');
  const store = await openDuckDbStore(db);
  const t = performance.now();
  await ingestFiles(
    store,
    ['accounts', 'releases', 'exchanges'].map((k) => join(data, `${k}.jsonl`)),
  );
  await store.close();
  const ingestSeconds = (performance.now() - t) / 1000;
  rmSync(data, { recursive: true, force: true });
  writeFileSync(marker, `${ingestSeconds}\n`);
  return { db, ingestSeconds };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return child(argv[1] as string, argv[2] as string);
  const opt = (k: string) => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const scales = (opt('--scales') ?? DEFAULT_SCALES.join(',')).split(',').map(Number);
  const seed = Number(opt('--seed') ?? 11);
  const dir = opt('--dir') ?? '/tmp/distillguard-bench-hunt';
  mkdirSync(dir, { recursive: true });
  const root = packageRoot();
  const points: Point[] = [];
  for (const scale of scales) {
    const { db, ingestSeconds } = await prepare(dir, scale, seed);
    const out = join(dir, `hunt-${scale}`);
    process.stderr.write(`hunting scale ${scale}…\n`);
    const json = execFileSync(process.execPath, [join(root, 'dist/bench/perf/hunt.js'), '--child', db, out], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const r = JSON.parse(json) as Omit<Point, 'scale' | 'ingestSeconds'>;
    points.push({ scale, ingestSeconds, ...r });
    process.stderr.write(
      `  ${r.exchanges} exchanges: hunt ${r.huntSeconds.toFixed(1)} s, bare GROUP BY ${r.bareSeconds.toFixed(2)} s, peak ${(r.maxRssMb / 1024).toFixed(2)} GiB\n`,
    );
  }
  const cpu = cpus();
  const lines = [
    '# hunt: speed and memory',
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Command: \`npm run bench:hunt${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}\``,
    `- Machine: ${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; load average at the end ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
    `- Data: reported-2026, seed ${seed}, stored once in DuckDB; each point in a fresh process; DuckDB memory_limit ${HUNT_MEMORY_LIMIT} (as \`distillguard hunt\`).`,
    '- Yardstick: `SELECT account_id, count(*) FROM exchanges GROUP BY account_id` on the same table in the same process (best of 3). Targets (issue 4): hunt ≤ 60 s and ≤ 6 GiB at reported-2026 scale 0.25; ≤ 4× the yardstick.',
    '',
    '| scale | exchanges | accounts | hunt (s) | bare GROUP BY (s) | hunt ÷ GROUP BY | exchanges/s | peak RSS (GiB) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...points.map(
      (p) =>
        `| ${p.scale} | ${p.exchanges.toLocaleString('en-US')} | ${p.accounts.toLocaleString('en-US')} | ${p.huntSeconds.toFixed(1)} | ${p.bareSeconds.toFixed(3)} | ${(p.huntSeconds / p.bareSeconds).toFixed(0)}× | ${Math.round(p.exchanges / p.huntSeconds).toLocaleString('en-US')} | ${(p.maxRssMb / 1024).toFixed(2)} |`,
    ),
    '',
    "**Why ≤ 4× the bare GROUP BY cannot be met.** The yardstick reads one column and counts. Two pieces the issue itself requires of `hunt` are timed alone on the same table (best of 3): the distinct IP addresses per account (`count(DISTINCT ip) … GROUP BY account_id`, for IP rotation and the proxy-pool rule), which DuckDB does about as fast as the yardstick, and the spread of each account's inter-arrival gaps (`lag(ts) OVER (PARTITION BY account_id ORDER BY ts)`, for the issue's inter-arrival regularity), which alone costs far more than 4× it: ordering 1–12M timestamps by account is the price of any timing signal. `hunt` computes ~30 per-account features in one SQL pass (read aggregates), reads and analyses up to 64 prompts per account (text), and builds the link graph.",
    '',
    '| scale | bare GROUP BY (s) | distinct IPs per account (s) | ÷ GROUP BY | inter-arrival gaps per account (s) | ÷ GROUP BY | hunt ÷ (distinct IPs + gaps) |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...points.map(
      (p) =>
        `| ${p.scale} | ${p.bareSeconds.toFixed(3)} | ${p.distinctIpsSeconds.toFixed(3)} | ${(p.distinctIpsSeconds / p.bareSeconds).toFixed(1)}× | ${p.gapsSeconds.toFixed(3)} | ${(p.gapsSeconds / p.bareSeconds).toFixed(1)}× | ${(p.huntSeconds / (p.distinctIpsSeconds + p.gapsSeconds)).toFixed(0)}× |`,
    ),
    '',
    'Stage times (s):',
    '',
    `| scale | ${(points[0]?.stages ?? []).map((s) => s.stage).join(' | ')} |`,
    `|---:|${(points[0]?.stages ?? []).map(() => '---:').join('|')}|`,
    ...points.map((p) => `| ${p.scale} | ${p.stages.map((s) => s.seconds.toFixed(1)).join(' | ')} |`),
    '',
  ];
  const path = join(root, 'bench/results/hunt.md');
  writeFileSync(path, lines.join('\n'));
  process.stderr.write(`wrote ${path}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
