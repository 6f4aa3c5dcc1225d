/**
 * `watch` on a replay: throughput, state per account, time to detect, and agreement with
 * `hunt` on the same data. Simulates a scenario once (cached), then in this process:
 *
 * 1. the yardstick: reading and validating the same file with no detection (the floor any
 *    replay pays);
 * 2. the replay through the incremental driver at full speed, relinking every
 *    RELINK_EVERY_MS of event time (its default), alerts kept in memory;
 * 3. scoring the alerts against the simulator's labels (read only here): per campaign, the
 *    event time from its first exchange to its first alert and to half its accounts alerted,
 *    the exchanges each account sent before its first alert, and the share of a campaign's
 *    exchanges sent after its first alert by accounts not alerted yet; genuine accounts ever
 *    alerted, per archetype; and the same exchanges through the gateway's policy core fed with
 *    what watch pushed (alerts, campaigns) until then: what it would still have forwarded after
 *    a campaign's first alert, and the genuine exchanges it would have refused;
 * 4. `hunt` over the same data ingested into DuckDB, and the agreement of the final verdicts.
 *
 * Writes bench/results/watch.md. Run: npm run bench:watch [-- --scenario demo --seed 7 --relink 15]
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { packageRoot, simulate } from '../../sim/index.js';
import {
  type Artifacts,
  EvasionIndex,
  Policy,
  VerdictBook,
  type VerdictUpdate,
} from '../../src/enforce/index.js';
import { hunt, RELINK_EVERY_MS, WatchEngine } from '../../src/engine/index.js';
import { type Alert, type Exchange, isTrusted, openRecords, type Verdict } from '../../src/formats/index.js';
import { type AccountInfo, accountInfoOf, ingestFiles, openDuckDbStore } from '../../src/store/index.js';

interface Args {
  scenario: string;
  seed: number;
  scale: number;
  relinkMin: number;
  dir: string;
}

function parseArgs(argv: string[]): Args {
  const get = (k: string, d: string) => {
    const i = argv.indexOf(`--${k}`);
    return i >= 0 && argv[i + 1] !== undefined ? (argv[i + 1] as string) : d;
  };
  return {
    scenario: get('scenario', 'demo'),
    seed: Number(get('seed', '7')),
    scale: Number(get('scale', '1')),
    relinkMin: Number(get('relink', String(RELINK_EVERY_MS / 60_000))),
    dir: get('dir', '/tmp/distillguard-bench-watch'),
  };
}

interface Label {
  account_id: string;
  label: string;
  campaign_id: string | null;
  archetype: string;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const mins = (ms: number) => (Number.isFinite(ms) ? (ms / 60_000).toFixed(1) : '—');
function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const data = join(a.dir, `${a.scenario}-${a.seed}-${a.scale}`);
  mkdirSync(data, { recursive: true });
  const exchangesFile = join(data, 'exchanges.jsonl');
  try {
    readFileSync(join(data, 'labels.jsonl'));
  } catch {
    process.stderr.write(`simulating ${a.scenario} seed ${a.seed} scale ${a.scale}…\n`);
    await simulate({ scenario: a.scenario, seed: a.seed, scale: a.scale, out: data });
  }
  const accounts: AccountInfo[] = [];
  for await (const b of openRecords(join(data, 'accounts.jsonl'), 'accounts'))
    for (const r of b.records) accounts.push(accountInfoOf(r));
  const releases: { model: string; released_at: number }[] = [];
  for await (const b of openRecords(join(data, 'releases.jsonl'), 'releases'))
    for (const r of b.records) releases.push({ model: r.model, released_at: r.released_at });

  // 1. Yardstick: read + validate only.
  let t = performance.now();
  let n = 0;
  for await (const b of openRecords(exchangesFile, 'exchanges')) n += b.records.length;
  const readSeconds = (performance.now() - t) / 1000;

  // 2. Replay. What watch would push to a gateway (alerts, and each full pass's campaigns) is
  // kept with the number of exchanges pushed when it was emitted, for step 3's gateway.
  const alerts: Alert[] = [];
  const updates: { at: number; u: VerdictUpdate }[] = [];
  const engine: WatchEngine = new WatchEngine({
    accounts,
    releases,
    relinkEveryMs: a.relinkMin * 60_000,
    onAlert: (x) => {
      alerts.push(x);
      updates.push({ at: engine.stats.exchanges, u: { kind: 'alert', record: x } });
    },
    onRelink: (j) => {
      for (const c of j.campaigns)
        updates.push({ at: engine.stats.exchanges, u: { kind: 'campaign', record: c } });
    },
  });
  const heap0 = process.memoryUsage().heapUsed;
  t = performance.now();
  // Per account: exchanges so far, and at its first alert.
  const sent = new Map<string, number>();
  const firstTs = new Map<string, number>();
  const perAccountTimes = new Map<string, number[]>();
  for await (const b of openRecords(exchangesFile, 'exchanges'))
    for (const e of b.records) {
      engine.push(e);
      sent.set(e.account_id, (sent.get(e.account_id) ?? 0) + 1);
      if (!firstTs.has(e.account_id)) firstTs.set(e.account_id, e.ts);
      const list = perAccountTimes.get(e.account_id);
      if (list === undefined) perAccountTimes.set(e.account_id, [e.ts]);
      else if (list.length < 1_000_000) list.push(e.ts);
    }
  const final = engine.finish();
  const replaySeconds = (performance.now() - t) / 1000;
  const heapMb = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  writeFileSync(join(data, 'alerts.jsonl'), alerts.map((x) => `${JSON.stringify(x)}\n`).join(''));
  const s = engine.stats;
  const stateBytes = engine.stateBytes();

  // 3. Alerts against the labels.
  const labels = new Map<string, Label>(
    readFileSync(join(data, 'labels.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Label)
      .map((l) => [l.account_id, l]),
  );
  const firstAlert = new Map<string, number>();
  for (const x of alerts) if (!firstAlert.has(x.account_id)) firstAlert.set(x.account_id, Date.parse(x.ts));
  const campaigns = new Map<string, string[]>();
  for (const l of labels.values())
    if (l.label === 'attack' && l.campaign_id !== null && perAccountTimes.has(l.account_id)) {
      const m = campaigns.get(l.campaign_id) ?? [];
      m.push(l.account_id);
      campaigns.set(l.campaign_id, m);
    }
  const rows: string[] = [];
  const ttdFirst: number[] = [];
  for (const [cid, members] of [...campaigns].sort()) {
    const start = Math.min(...members.map((m) => firstTs.get(m) as number));
    const alertTimes = members
      .map((m) => firstAlert.get(m) ?? Number.POSITIVE_INFINITY)
      .sort((x, y) => x - y);
    const first = alertTimes[0] as number;
    const half = alertTimes[Math.ceil(members.length / 2) - 1] as number;
    ttdFirst.push(first - start);
    const before: number[] = [];
    const ownDelay: number[] = [];
    let total = 0;
    let afterFirst = 0;
    for (const m of members) {
      const times = perAccountTimes.get(m) ?? [];
      const own = firstAlert.get(m) ?? Number.POSITIVE_INFINITY;
      before.push(times.filter((x) => x < own).length);
      ownDelay.push(own - (firstTs.get(m) as number));
      total += times.length;
      for (const x of times) if (x > first && x < own) afterFirst++;
    }
    const archetype = labels.get(members[0] as string)?.archetype ?? '';
    const alerted = alertTimes.filter(Number.isFinite).length;
    rows.push(
      `| ${cid} (${archetype}) | ${members.length} | ${alerted} | ${mins(first - start)} | ${mins(half - start)} | ${mins(quantile(ownDelay, 0.5))} | ${quantile(before, 0.5)} | ${quantile(before, 0.9)} | ${pct(afterFirst / Math.max(1, total))} |`,
    );
  }
  // 3b. The gateway fed by this replay (watch --notify): the same policy and ban-evasion index
  // as `distillguard gateway` with default actions, the book updated with what watch had pushed
  // before each exchange. Counts what it would still have forwarded.
  const gw = await gatewayReplay(exchangesFile, updates, accounts);
  const gwRows: string[] = [];
  const served: number[] = [];
  for (const [cid, members] of [...campaigns].sort()) {
    const first = Math.min(...members.map((m) => firstAlert.get(m) ?? Number.POSITIVE_INFINITY));
    let total = 0;
    let fwd = 0;
    let thr = 0;
    let byEvasion = 0;
    let byCampaign = 0;
    for (const m of members) {
      const d = gw.get(m);
      if (d === undefined) continue;
      total += d.ts.length;
      d.ts.forEach((x, i) => {
        if (x <= first) return;
        const act = d.action[i];
        if (act === 'allow' || act === 'degrade') fwd++;
        else if (act === 'throttle') thr++;
        else if (d.source[i] === 'evasion') byEvasion++;
        else if (d.source[i] === 'campaign') byCampaign++;
      });
    }
    served.push((fwd + thr) / Math.max(1, total));
    gwRows.push(
      `| ${cid} | ${total.toLocaleString('en-US')} | ${pct(fwd / Math.max(1, total))} | ${pct(thr / Math.max(1, total))} | ${byCampaign.toLocaleString('en-US')} | ${byEvasion.toLocaleString('en-US')} |`,
    );
  }
  const gwGenuine = new Map<string, { n: number; refused: number; accounts: Set<string> }>();
  for (const [id, d] of gw) {
    const l = labels.get(id);
    if (l === undefined || l.label !== 'legit') continue;
    const r = gwGenuine.get(l.archetype) ?? { n: 0, refused: 0, accounts: new Set<string>() };
    d.action.forEach((act) => {
      r.n++;
      if (act !== 'allow') {
        r.refused++;
        r.accounts.add(id);
      }
    });
    gwGenuine.set(l.archetype, r);
  }

  const fpBy = new Map<string, { n: number; alerted: number }>();
  for (const l of labels.values()) {
    if (l.label !== 'legit' || !perAccountTimes.has(l.account_id)) continue;
    const r = fpBy.get(l.archetype) ?? { n: 0, alerted: 0 };
    r.n++;
    if (firstAlert.has(l.account_id)) r.alerted++;
    fpBy.set(l.archetype, r);
  }

  // 4. hunt on the same data.
  const db = join(data, 'store.duckdb');
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  const store = await openDuckDbStore(db, { config: { memory_limit: '3GB' } });
  await ingestFiles(
    store,
    ['accounts', 'releases', 'exchanges'].map((k) => join(data, `${k}.jsonl`)),
  );
  t = performance.now();
  const h = await hunt(store.features(), { seed: 1 });
  const huntSeconds = (performance.now() - t) / 1000;
  await store.close();
  const hv = new Map<string, Verdict>(h.verdicts.map((v) => [v.account_id, v]));
  let same = 0;
  let both = 0;
  let maxDiff = 0;
  let flaggedBoth = 0;
  let flaggedEither = 0;
  for (const v of final.verdicts) {
    const x = hv.get(v.account_id);
    if (x === undefined) continue;
    both++;
    if (x.verdict === v.verdict) same++;
    maxDiff = Math.max(maxDiff, Math.abs(x.score - v.score));
    const fa = x.verdict !== 'clear';
    const fb = v.verdict !== 'clear';
    if (fa || fb) flaggedEither++;
    if (fa && fb) flaggedBoth++;
  }

  const exchangePath = replaySeconds - s.relinkSeconds;
  const md = `# watch: replay speed, state, time to detect, agreement with hunt

- Date: ${new Date().toISOString()}
- Command: \`npm run bench:watch -- --scenario ${a.scenario} --seed ${a.seed} --scale ${a.scale} --relink ${a.relinkMin}\`
- Machine: ${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; load average at the end ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}
- Data: simulated \`${a.scenario}\` (seed ${a.seed}, scale ${a.scale}): ${s.exchanges.toLocaleString('en-US')} exchanges, ${s.accounts.toLocaleString('en-US')} accounts with traffic, text mode ${engine.textMode}; replayed from JSON Lines in one process at full speed.
- Full passes (re-linking) every ${a.relinkMin} min of event time: ${s.relinks}.

## Throughput and state

| | seconds | exchanges/s | vs read + validate only |
|---|---:|---:|---:|
| read + validate only (yardstick) | ${readSeconds.toFixed(1)} | ${Math.round(n / readSeconds).toLocaleString('en-US')} | 1.00× |
| watch replay, everything | ${replaySeconds.toFixed(1)} | ${Math.round(s.exchanges / replaySeconds).toLocaleString('en-US')} | ${(replaySeconds / readSeconds).toFixed(2)}× |
| of which the per-exchange path (replay − full passes) | ${exchangePath.toFixed(1)} | ${Math.round(s.exchanges / exchangePath).toLocaleString('en-US')} | ${(exchangePath / readSeconds).toFixed(2)}× |
| of which full passes (${s.relinks}, ${((1000 * s.relinkSeconds) / Math.max(1, s.relinks)).toFixed(0)} ms each) | ${s.relinkSeconds.toFixed(1)} | | |

Target (issue 5): ≥ 150k exchanges/s replay. Per-account state: ${Math.round(stateBytes / Math.max(1, s.accounts)).toLocaleString('en-US')} bytes on average (counters, sketches, capped artifact sets, text summary; estimated by the state's own accounting), ${heapMb.toFixed(0)} MiB heap growth over the replay including the shared artifact and template indexes and the bench's own per-account timestamps. Quick rescores: ${s.quickScores.toLocaleString('en-US')}; prompts analysed: ${s.textAnalysed.toLocaleString('en-US')}.

## Time to detect (event time, from the simulator's labels)

| campaign | accounts | alerted | first alert (min) | 50% of accounts (min) | an account's own first exchange to its alert, median (min) | exchanges before an account's alert, median | p90 | exchanges after the campaign's first alert from accounts not yet alerted |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

Median time from a campaign's first exchange to its first alert: ${mins(quantile(ttdFirst, 0.5))} min (target ≤ 30). Campaigns bring their accounts in over the week, so "50 % of accounts" is dominated by when accounts start; the next column is each account's own delay. The last column is the share of the campaign's exchanges sent after its first alert by accounts with no alert of their own yet (any verdict); what a gateway would really have served, given the actions verdicts map to, campaign membership and ban evasion, is the next table.

### What a gateway fed by this replay would still have served

The same replay through the gateway's policy core (\`Policy\` and the ban-evasion index of \`distillguard gateway\`, default actions: watch → allow, throttle → throttle, block → block; evasion matching for campaigns at throttle or block), its verdict book updated with everything watch had pushed (\`watch --notify\`: alerts, and each full pass's campaigns with their members and indicators) before each exchange arrived. Per campaign, the share of all its exchanges sent after its first alert that the gateway would still have forwarded, or throttled (let through up to the throttle's rate), and how many it refused because of the campaign (a listed member) or of ban evasion (an unknown account matching the campaign's indicators):

| campaign | exchanges | forwarded after the first alert | throttled after the first alert | refused as a campaign member | refused as ban evasion |
|---|---:|---:|---:|---:|---:|
${gwRows.join('\n')}

Largest share forwarded or throttled after a campaign's first alert: ${pct(Math.max(0, ...served))} (target ≤ 1%).

Genuine exchanges the gateway would have refused or throttled, per archetype:

| archetype | exchanges | refused or throttled | accounts affected |
|---|---:|---:|---:|
${[...gwGenuine]
  .sort()
  .map(
    ([k, r]) =>
      `| ${k} | ${r.n.toLocaleString('en-US')} | ${r.refused.toLocaleString('en-US')} | ${r.accounts.size} |`,
  )
  .join('\n')}

Genuine accounts ever alerted (any verdict above clear, at any time during the replay):

| archetype | accounts | alerted |
|---|---:|---:|
${[...fpBy]
  .sort()
  .map(([k, r]) => `| ${k} | ${r.n} | ${r.alerted} |`)
  .join('\n')}

## Agreement with hunt on the same data

\`hunt\` over the same files ingested into DuckDB (${huntSeconds.toFixed(1)} s): same verdict for ${same} of ${both} accounts (${pct(same / Math.max(1, both))}); flagged by both ${flaggedBoth} of ${flaggedEither} flagged by either; largest score difference ${maxDiff.toFixed(3)}. Campaigns: hunt ${h.campaigns.length}, watch ${final.campaigns.length}.
`;
  const out = join(packageRoot(), 'bench', 'results', 'watch.md');
  writeFileSync(out, md);
  process.stdout.write(md);
  process.stderr.write(`wrote ${out}\n`);
}

interface GatewayTrace {
  ts: number[];
  action: string[];
  source: string[];
}

/** Replays the exchanges through the gateway's policy core, the verdict book updated with what
 * watch had pushed (alerts, campaigns) before each exchange; per account, each exchange's action. */
async function gatewayReplay(
  file: string,
  updates: readonly { at: number; u: VerdictUpdate }[],
  accounts: readonly AccountInfo[],
): Promise<Map<string, GatewayTrace>> {
  const info = new Map(accounts.map((x) => [x.account_id, x]));
  const book = new VerdictBook();
  const policy = new Policy(book, new EvasionIndex(book, new Set(['throttle', 'block'])));
  const out = new Map<string, GatewayTrace>();
  let next = 0;
  let k = 0;
  for await (const b of openRecords(file, 'exchanges'))
    for (const e of b.records) {
      while (next < updates.length && (updates[next] as { at: number }).at <= k)
        book.apply((updates[next++] as { u: VerdictUpdate }).u);
      k++;
      const acc = info.get(e.account_id);
      const d = policy.decide({
        account: e.account_id,
        trusted: isTrusted(acc?.trust),
        artifacts: () => requestArtifacts(e, acc),
      });
      let t = out.get(e.account_id);
      if (t === undefined) {
        t = { ts: [], action: [], source: [] };
        out.set(e.account_id, t);
      }
      t.ts.push(e.ts);
      t.action.push(d.action);
      t.source.push(d.action === 'allow' ? '' : (d.reason?.source ?? ''));
    }
  return out;
}

/** What the gateway sees of a request: its address, client fingerprint and agent, the account's
 * payment instrument and email domain, and the prompt text when the capture has it. */
function requestArtifacts(e: Exchange, acc: AccountInfo | undefined): Artifacts {
  const a: Artifacts = {};
  if (e.ip !== undefined) a.ip = e.ip;
  if (e.tls_fingerprint !== undefined) a.tls_fingerprint = e.tls_fingerprint;
  if (e.user_agent !== undefined) a.user_agent = e.user_agent;
  if (acc?.payment_fingerprint != null) a.payment_fingerprint = acc.payment_fingerprint;
  if (acc?.email_domain != null) a.email_domain = acc.email_domain;
  if (e.prompt !== undefined) a.prompt = e.prompt;
  if (e.system_prompt !== undefined) a.system_prompt = e.system_prompt;
  return a;
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
