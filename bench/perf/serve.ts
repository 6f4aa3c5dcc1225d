/**
 * `distillguard serve` speed: API latency on a large store, and the time a 5,000-account campaign
 * page takes to become interactive in chromium (issue 6 targets: API p95 < 100 ms; < 2 s).
 *
 * The server runs in this process over HTTP on loopback; requests are sent one at a time (the
 * latency a person clicking sees, not throughput) after two warm-up calls per route. Accounts,
 * IPs and prefixes are drawn with a seeded generator, a different one for every request, so that
 * nothing is answered from a cache. The store has no campaign of 5,000 accounts (the largest at
 * reported-2026 scale 0.25 has ~1,800), so one is added to a copy of the findings: the members of
 * every detected campaign, then the highest-scored other accounts, up to 5,000, with their shared
 * indicators — a real graph, timeline and member table of that size.
 *
 * Run: npm run bench:serve -- --db STORE.duckdb [--findings DIR] [--requests 20]
 *      (without --db: simulates reported-2026 --scale 0.25 --seed 7, ingests and hunts it first,
 *       ~10 min, kept in --dir for the next run)
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { packageRoot, simulate } from '../../sim/index.js';
import { hunt, writeHuntOutputs } from '../../src/engine/index.js';
import type { Campaign, Verdict } from '../../src/formats/index.js';
import { mulberry32 } from '../../src/rng/index.js';
import { type CampaignList, type Overview, startServer, UserDirectory } from '../../src/server/index.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../../src/server/test-support/browser.js';
import { ingestFiles, openDuckDbStore } from '../../src/store/index.js';

const BIG = 5_000;
const BIG_ID = 'dgc-bench-5000';
const PASSWORD = 'bench-password-1234';
/** Page loads of the 5,000-account campaign: the first with the server's graph cache cold. */
const PAGE_LOADS = 3;

const args = parseArgs({
  options: {
    db: { type: 'string' },
    findings: { type: 'string' },
    dir: { type: 'string', default: join(tmpdir(), 'distillguard-bench-serve') },
    requests: { type: 'string', default: '20' },
    seed: { type: 'string', default: '7' },
    out: { type: 'string', default: join(packageRoot(), 'bench', 'results', 'serve.md') },
  },
}).values;

const lines = (p: string): unknown[] =>
  readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);

async function prepareStore(dir: string, seed: number): Promise<{ db: string; findings: string }> {
  const db = join(dir, 'rep25.duckdb');
  const findings = join(dir, 'hunt');
  if (existsSync(`${db}.done`)) return { db, findings };
  mkdirSync(dir, { recursive: true });
  process.stderr.write('simulating reported-2026 at scale 0.25 (once; kept for the next run)…\n');
  await simulate({ scenario: 'reported-2026', seed, scale: 0.25, out: join(dir, 'data') });
  rmSync(db, { force: true });
  const store = await openDuckDbStore(db);
  try {
    await ingestFiles(
      store,
      ['accounts', 'releases', 'exchanges'].map((k) => join(dir, 'data', `${k}.jsonl`)),
    );
    const source = store.features();
    const r = await hunt(source, { seed: 1 });
    await writeHuntOutputs(r, source, findings, {
      source: db,
      command: 'bench:serve',
      generatedAt: new Date().toISOString(),
    });
  } finally {
    await store.close();
  }
  writeFileSync(`${db}.done`, '');
  return { db, findings };
}

/** A copy of the findings with one more campaign of BIG accounts (see the header). */
function withBigCampaign(findings: string): { dir: string; members: number } {
  const dir = mkdtempSync(join(tmpdir(), 'dg-bench-serve-'));
  const verdicts = lines(join(findings, 'verdicts.jsonl')) as Verdict[];
  const campaigns = lines(join(findings, 'campaigns.jsonl')) as Campaign[];
  const chosen = new Set<string>();
  for (const c of [...campaigns].sort((a, b) => b.accounts.length - a.accounts.length))
    for (const a of c.accounts) if (chosen.size < BIG) chosen.add(a);
  for (const v of [...verdicts].sort((a, b) => b.score - a.score))
    if (chosen.size < BIG) chosen.add(v.account_id);
  const largest = [...campaigns].sort((a, b) => b.accounts.length - a.accounts.length)[0];
  const indicators: Record<string, string[]> = {};
  for (const c of campaigns)
    for (const [k, vs] of Object.entries(c.indicators))
      indicators[k] = [...new Set([...(indicators[k] ?? []), ...vs])].slice(0, 50);
  const big = {
    ...(largest ?? {}),
    campaign_id: BIG_ID,
    accounts: [...chosen].sort(),
    exchanges: campaigns.reduce((s, c) => s + c.exchanges, 0),
    output_tokens: campaigns.reduce((s, c) => s + c.output_tokens, 0),
    indicators,
  };
  copyFileSync(join(findings, 'verdicts.jsonl'), join(dir, 'verdicts.jsonl'));
  writeFileSync(
    join(dir, 'campaigns.jsonl'),
    `${[...campaigns, big].map((c) => JSON.stringify(c)).join('\n')}\n`,
  );
  if (existsSync(join(findings, 'exchange_verdicts.jsonl')))
    symlinkSync(join(findings, 'exchange_verdicts.jsonl'), join(dir, 'exchange_verdicts.jsonl'));
  return { dir, members: chosen.size };
}

const q = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? Number.NaN;
};

async function main(): Promise<void> {
  const seed = Number(args.seed);
  const n = Number(args.requests);
  const started = new Date();
  const t0 = performance.now();
  const store =
    args.db === undefined
      ? await prepareStore(args.dir as string, seed)
      : { db: args.db, findings: args.findings ?? join(dirname(args.db), 'hunt') };
  const big = withBigCampaign(store.findings);
  const users = UserDirectory.empty(null);
  await users.addUser('bench', 'analyst', PASSWORD);
  const journalDir = mkdtempSync(join(tmpdir(), 'dg-bench-journal-'));
  const server = await startServer({
    db: store.db,
    findings: big.dir,
    users,
    journal: join(journalDir, 'analyst.jsonl'),
    feedback: join(journalDir, 'feedback.json'),
    webRoot: join(packageRoot(), 'dist', 'web'),
    log: () => {},
  });
  const tIndex = performance.now();
  await server.indexes.ready;
  const indexSeconds = (performance.now() - tIndex) / 1000;
  process.stderr.write(`store indexed in ${indexSeconds.toFixed(1)} s\n`);

  const login = await fetch(`${server.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'bench', password: PASSWORD }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrf } = (await login.json()) as { csrf: string };
  const get = async (path: string): Promise<{ ms: number; body: unknown }> => {
    const t = performance.now();
    const r = await fetch(`${server.url}${path}`, { headers: { cookie } });
    const body = (await r.json()) as unknown;
    if (!r.ok) throw new Error(`${path}: ${r.status} ${JSON.stringify(body)}`);
    return { ms: performance.now() - t, body };
  };

  const overview = (await get('/api/overview')).body as Overview;
  const list = (await get('/api/campaigns?limit=500')).body as CampaignList;
  const real = list.items.filter((c) => c.campaign_id !== BIG_ID).sort((a, b) => b.accounts - a.accounts)[0];
  if (real === undefined) throw new Error('no campaign in the findings');
  const verdicts = lines(join(store.findings, 'verdicts.jsonl')) as Verdict[];
  const flagged = verdicts.filter((v) => v.verdict !== 'clear').map((v) => v.account_id);
  const all = verdicts.map((v) => v.account_id);
  const rng = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
  // IPs and end users of random accounts, from their exchange pages (not timed).
  const ips: string[] = [];
  const endUsers: string[] = [];
  for (let i = 0; i < 10; i++) {
    const page = (await get(`/api/accounts/${encodeURIComponent(pick(all))}/exchanges?limit=5`)).body as {
      items: { ip: string; end_user_id: string | null }[];
    };
    for (const x of page.items) {
      ips.push(x.ip);
      if (x.end_user_id !== null) endUsers.push(x.end_user_id);
    }
  }
  const realDetail = (await get(`/api/campaigns/${real.campaign_id}`)).body as {
    indicators: Record<string, string[]>;
  };
  const templates = realDetail.indicators.prompt_template ?? [];
  const acct = (path: string) => () =>
    `/api/accounts/${encodeURIComponent(pick(rng() < 0.5 ? flagged : all))}${path}`;
  const realIds = list.items.filter((c) => c.campaign_id !== BIG_ID).map((c) => c.campaign_id);
  const routes: { name: string; path: () => string; times?: number }[] = [
    { name: 'GET /api/overview', path: () => '/api/overview' },
    { name: 'GET /api/campaigns', path: () => '/api/campaigns?sort=output_tokens' },
    {
      name: `GET /api/campaigns/:id (any of ${realIds.length})`,
      path: () => `/api/campaigns/${pick(realIds)}`,
    },
    { name: `GET /api/campaigns/:id (${big.members} accounts)`, path: () => `/api/campaigns/${BIG_ID}` },
    { name: 'GET /api/accounts/:id', path: acct('') },
    { name: 'GET /api/accounts/:id/exchanges (a page of 25)', path: acct('/exchanges') },
    { name: 'GET /api/accounts/:id/timeline', path: acct('/timeline') },
    {
      name: 'GET /api/search kind=account',
      path: () => `/api/search?kind=account&q=${pick(all).slice(0, 7)}`,
    },
    { name: 'GET /api/search kind=ip', path: () => `/api/search?kind=ip&q=${pick(ips)}` },
    {
      name: 'GET /api/search kind=prefix (/24)',
      path: () =>
        `/api/search?kind=prefix&q=${encodeURIComponent(`${pick(ips).split('.').slice(0, 3).join('.')}.0/24`)}`,
    },
    ...(endUsers.length > 0
      ? [
          {
            name: 'GET /api/search kind=end_user',
            path: () => `/api/search?kind=end_user&q=${encodeURIComponent(pick(endUsers))}`,
          },
        ]
      : []),
    { name: 'GET /api/audit', path: () => '/api/audit' },
    { name: 'GET /api/alerts', path: () => '/api/alerts' },
  ];
  const results: { name: string; ms: number[] }[] = [];
  for (const r of routes) {
    for (let i = 0; i < 2; i++) await get(r.path());
    const ms: number[] = [];
    for (let i = 0; i < (r.times ?? n); i++) ms.push((await get(r.path())).ms);
    results.push({ name: r.name, ms });
    process.stderr.write(`${r.name}: p95 ${q(ms, 0.95).toFixed(1)} ms\n`);
  }
  // Graph, timeline and samples are cached per campaign after their first call: time the first
  // call of each of the store's campaigns (cold), the cost a person pays on opening one.
  for (const part of ['timeline', 'samples', 'graph']) {
    const ms: number[] = [];
    for (const id of realIds) ms.push((await get(`/api/campaigns/${id}/${part}`)).ms);
    results.push({
      name: `GET /api/campaigns/:id/${part}, first call for each of ${realIds.length} campaigns`,
      ms,
    });
    process.stderr.write(`${part} (cold): p95 ${q(ms, 0.95).toFixed(1)} ms\n`);
  }
  // Decisions: POST with CSRF token, journaled (fsync) and feedback.json rewritten.
  const post: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch(`${server.url}/api/accounts/${encodeURIComponent(pick(flagged))}/action`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ action: i % 2 === 0 ? 'throttle' : 'block', reason: `bench ${i}` }),
    });
    await r.text();
    if (r.status !== 200 && r.status !== 409) throw new Error(`POST action: ${r.status}`);
    post.push(performance.now() - t);
  }
  results.push({ name: 'POST /api/accounts/:id/action', ms: post });
  // The 5,000-account campaign page in chromium. The first load is cold on the server too (its
  // graph, timeline and samples are computed then, and cached for the next loads).
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  await page.goto(`${server.url}/`);
  await page.fill('input[name=user]', 'bench');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-view=campaigns][data-ready=true]', { timeout: 60_000 });
  const loads: { ms: number; parts: string }[] = [];
  for (let i = 0; i < PAGE_LOADS; i++) {
    await page.goto('about:blank');
    const t = performance.now();
    await page.goto(`${server.url}/#/campaign/${BIG_ID}`);
    await page.waitForSelector('[data-view=campaign][data-ready=true]', { timeout: 60_000 });
    // Interactive: a click on the decision panel is handled (the main thread is free).
    await page.click('[data-testid=decisions] textarea', { timeout: 10_000 });
    const ms = performance.now() - t;
    // Where the time went, from the page's own marks and resource timings (ms since navigation).
    const parts = await page.evaluate(() => {
      const res = performance
        .getEntriesByType('resource')
        .filter((e) => e.name.includes('/api/campaigns/'))
        .map(
          (e) =>
            `${e.name.split('/').pop()?.split('?')[0] ?? ''} ${Math.round(e.startTime)}→${Math.round((e as unknown as { responseEnd: number }).responseEnd)}`,
        );
      const meas = performance
        .getEntriesByType('measure')
        .filter((e) => e.name.startsWith('dg:'))
        .map((e) => `${e.name.slice(3)} ${Math.round(e.startTime)}+${Math.round(e.duration)}`);
      const ready = performance.getEntriesByName('dg:campaign:ready')[0]?.startTime ?? 0;
      return `API ${res.join(', ')}; ${meas.join(', ')}; ready at ${Math.round(ready)}`;
    });
    loads.push({ ms, parts });
    process.stderr.write(`5,000-account campaign page interactive in ${ms.toFixed(0)} ms\n`);
  }
  await page.screenshot({ path: join(journalDir, 'big-campaign.png') });
  process.stderr.write(`screenshot: ${join(journalDir, 'big-campaign.png')}\n`);
  await browser.close();
  // Separately: the heavy ones, each timed a few times (not in the p95 of the dashboard's routes).
  const heavy: { name: string; ms: number[] }[] = [];
  const graphWarm = await get(`/api/campaigns/${BIG_ID}/graph`);
  const graphBody = graphWarm.body as { nodes: unknown[]; edges: unknown[] };
  heavy.push({
    name: `GET /api/campaigns/:id/graph, ${big.members} accounts, cached (first call: see page load 1)`,
    ms: [graphWarm.ms],
  });
  const tpl: number[] = [];
  for (let i = 0; i < 3; i++)
    tpl.push(
      (await get(`/api/search?kind=template&q=${encodeURIComponent(pick(templates) ?? 'head: x')}`)).ms,
    );
  heavy.push({ name: 'GET /api/search kind=template (scans prompt text)', ms: tpl });
  await server.stop();

  const allMs = results.flatMap((r) => r.ms);
  const fmt = (x: number) => x.toFixed(1);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const md = [
    '# serve: API latency and the 5,000-account campaign page',
    '',
    `- Date: ${started.toISOString()}`,
    `- Command: \`npm run bench:serve -- ${process.argv.slice(2).join(' ')}\``,
    `- Machine: ${cpu}, ${cpus().length} cores (shared with other work), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; load average at the end ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
    `- Store: ${overview.exchanges.toLocaleString('en-US')} exchanges, ${overview.accounts.toLocaleString('en-US')} accounts with exchanges, ${list.items.length - 1} campaigns found by hunt (+1 added, see below); opened read-only; DuckDB memory_limit 2GB`,
    `- Server start: the index tables (per-account aggregates, daily counts, artifact → accounts) built in ${indexSeconds.toFixed(1)} s, in the background after the server listens`,
    `- Method: HTTP on loopback, one request at a time, 2 warm-up calls per route then ${n} timed (fresh random account / IP / prefix each time, seeded); times include JSON parsing by the client`,
    `- 5,000-account campaign: the store's largest has ${real.accounts} accounts, so the bench adds \`${BIG_ID}\` to a copy of the findings: the members of every campaign, then the highest-scored other accounts, ${big.members} in all (graph: ${graphBody.nodes.length.toLocaleString('en-US')} nodes, ${graphBody.edges.length.toLocaleString('en-US')} links)`,
    '',
    `## API: p95 over all ${allMs.length} timed requests of the dashboard's routes = **${fmt(q(allMs, 0.95))} ms** (target < 100 ms); p50 ${fmt(q(allMs, 0.5))} ms`,
    '',
    '| route | p50 (ms) | p95 (ms) | max (ms) |',
    '|---|---:|---:|---:|',
    ...results.map(
      (r) => `| ${r.name} | ${fmt(q(r.ms, 0.5))} | ${fmt(q(r.ms, 0.95))} | ${fmt(Math.max(...r.ms))} |`,
    ),
    '',
    'Heavier calls, timed apart (not in the p95 above):',
    '',
    '| call | times (ms) |',
    '|---|---|',
    ...heavy.map((h) => `| ${h.name} | ${h.ms.map(fmt).join(', ')} |`),
    '',
    `## ${big.members.toLocaleString('en-US')}-account campaign page in chromium: interactive in **${loads.map((l) => (l.ms / 1000).toFixed(2)).join(' s, ')} s** (target < 2 s)`,
    '',
    '| load | interactive (s) | where the time went (ms since navigation: API start→end; layout/sigma start+duration) |',
    '|---:|---:|---|',
    ...loads.map((l, i) => `| ${i + 1} | ${(l.ms / 1000).toFixed(2)} | ${l.parts} |`),
    '',
    `Debian chromium (headless, software WebGL), 1440×1000. Each load starts from about:blank and ends when the page says it is ready (campaign, timeline and members loaded; the graph laid out — barycentric start + ForceAtlas2 — and drawn by sigma) and a click on the decision form is handled. Load 1 is cold on the server (graph, timeline and samples of this campaign computed then; cached for loads 2 and 3); the browser's HTTP cache is warm for the scripts after login.`,
    '',
    '## Reading',
    '',
    "- The API routes that show prompt text miss 100 ms: an account page of exchanges, and the first call for a campaign's samples. The exchanges table is stored in time order, not by account, so each exchange shown costs reading and decompressing one block of the prompt column (100–170 ms for a page of 25 when cold, timed in DuckDB alone); finding which exchanges make the page takes 20–50 ms more. The other routes answer from the server's index tables. Graph, timeline and samples are cached per campaign after their first call.",
    '- Template search over raw text scans the whole prompt column: seconds to tens of seconds at this size (fingerprint search uses the stored `prompt_fingerprint` column instead).',
    "- The 5,000-account page misses 2 s here: in headless chromium without a GPU, WebGL runs on SwiftShader (sigma's first frame of 5,000 nodes and ~37k links ~1 s) and style, layout and paint are software too (the CPU profile of a load is ~1.5 s of native time against ~0.5 s of our JavaScript); script start ~0.5 s; the server's replies 0.1–0.2 s cached, up to 1.5 s cold. A browser with a GPU was not available to measure.",
    '',
    `Total bench time ${((performance.now() - t0) / 1000).toFixed(0)} s.`,
    '',
  ].join('\n');
  writeFileSync(args.out as string, md);
  process.stdout.write(md);
  rmSync(big.dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench:serve failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
});
