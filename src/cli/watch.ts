/**
 * `distillguard watch`: live detection. Exchanges in time order from files (replayed at full
 * speed or paced), stdin, or `POST /v1/exchanges`; alerts the moment an account's verdict
 * rises; verdicts and campaigns kept current in the output directory.
 */
import { timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { RELINK_EVERY_MS, WatchEngine } from '../engine/index.js';
import type { Alert, Exchange, RecordIssue } from '../formats/index.js';
import { FormatError, LineFile, openRecords, readJsonl } from '../formats/index.js';
import { type AccountInfo, accountInfoOf, openDuckDbStore } from '../store/index.js';
import { defaultFeedbackPath, FEEDBACK_FILE, feedbackFlag } from './feedback-flag.js';
import { createProgress } from './progress.js';
import { UsageError } from './usage-error.js';
import { GatewayNotifier } from './watch-notify.js';

/** Largest POST body accepted (NDJSON): a batch of ~50k exchanges with prompts. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Seconds between two snapshots of verdicts and campaigns while listening. */
export const SNAPSHOT_EVERY_S = 30;
const TOKEN_ENV = 'DISTILLGUARD_WATCH_TOKEN';
/** The gateway's admin token (docs/gateway.md), for --notify. */
const ADMIN_TOKEN_ENV = 'DISTILLGUARD_ADMIN_TOKEN';

interface WatchFlags {
  out: string;
  db?: string;
  accounts?: string;
  releases?: string;
  listen?: string;
  host: string;
  token?: string;
  speed?: string;
  relinkEvery: string;
  seed: string;
  feedback?: string;
  notify?: string;
  quiet?: boolean;
}

const HELP = `
Inputs (any of):
  FILE…                 exchanges files (JSON Lines, CSV, Parquet, OTLP; .gz), each in time
                        order, replayed one after the other; "-" reads NDJSON from stdin
  --listen PORT         POST /v1/exchanges with an NDJSON body and "Authorization: Bearer
                        TOKEN" (--token or $${TOKEN_ENV}); runs until Ctrl-C
Accounts and releases (pathways, billing countries, payment instruments, model launches)
come from --db (a store written by \`distillguard ingest\`) or --accounts / --releases files.

Writes to DIR:
  alerts.jsonl          one line each time an account's verdict rises, as it happens
  verdicts.jsonl        every account's verdict after the last full pass
  campaigns.jsonl       the campaigns of the last full pass
  rejects.jsonl         input records that were refused (file, line, field, reason)

Detection is the same as \`hunt\` (docs/detection.md): an account's own evidence can raise
its verdict at once; links between accounts are recomputed every --relink-every minutes
of event time. Replaying a data set ends at the verdicts \`hunt\` gives on it (docs/watch.md).

Examples:
  distillguard watch data/exchanges.jsonl --accounts data/accounts.jsonl --releases data/releases.jsonl --out live/
  distillguard watch data/exchanges.jsonl --db dg.duckdb --speed 3600 --out live/   # 1 h of traffic per second
  ${TOKEN_ENV}=s3cret distillguard watch --listen 8700 --db dg.duckdb --out live/
  ${ADMIN_TOKEN_ENV}=… distillguard watch --listen 8700 --db dg.duckdb --notify http://gateway:8080 --out live/

Exit status: 0 done, 2 a flag is wrong or an input is missing.`;

export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description('live detection: alerts as exchanges arrive (replay, stdin or HTTP)')
    .argument('[files...]', 'exchanges files in time order ("-" for stdin)')
    .option('--out <dir>', 'directory for alerts, verdicts and campaigns', './distillguard-watch')
    .option('--db <path>', 'read accounts and releases from this store')
    .option('--accounts <file>', 'accounts file (instead of --db)')
    .option('--releases <file>', 'releases file (instead of --db)')
    .option('--listen <port>', 'accept POST /v1/exchanges on this port')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--token <token>', `bearer token for POST (default $${TOKEN_ENV})`)
    .option('--speed <x>', 'pace a replay at x times real time (default: as fast as possible)')
    .option('--relink-every <minutes>', 'event time between full passes', String(RELINK_EVERY_MS / 60_000))
    .option('--seed <n>', 'seed of the clustering', '1')
    .option(
      '--feedback <file>',
      `analysts' decisions from the dashboard (default with --db: ${FEEDBACK_FILE} beside it, if present)`,
    )
    .option(
      '--notify <url>',
      `push alerts and campaigns to a gateway as they happen (token: $${ADMIN_TOKEN_ENV})`,
    )
    .option('--quiet', 'no progress on stderr')
    .addHelpText('after', HELP)
    .action(async (files: string[], flags: WatchFlags) => {
      const seed = Number(flags.seed);
      if (!Number.isSafeInteger(seed) || seed < 0)
        throw new UsageError('bad_option', `--seed must be a non-negative integer, got "${flags.seed}"`);
      const relink = Number(flags.relinkEvery);
      if (!(relink > 0))
        throw new UsageError('bad_option', `--relink-every must be > 0 minutes, got "${flags.relinkEvery}"`);
      const speed = flags.speed === undefined ? null : Number(flags.speed);
      if (speed !== null && !(speed > 0))
        throw new UsageError('bad_option', `--speed must be > 0, got "${flags.speed}"`);
      const port = flags.listen === undefined ? null : Number(flags.listen);
      if (port !== null && !(Number.isInteger(port) && port >= 0 && port < 65536))
        throw new UsageError('bad_option', `--listen must be a port number, got "${flags.listen}"`);
      const token = flags.token ?? process.env[TOKEN_ENV];
      if (port !== null && (token === undefined || token.length < 8))
        throw new UsageError(
          'missing_argument',
          `--listen needs a bearer token of at least 8 characters (--token or $${TOKEN_ENV})`,
        );
      if (files.length === 0 && port === null)
        throw new UsageError('missing_argument', 'give exchanges files, "-" for stdin, or --listen PORT');
      for (const f of files)
        if (f !== '-' && !existsSync(f)) throw new UsageError('missing_argument', `no such file: ${f}`);
      if (flags.db !== undefined && (flags.accounts !== undefined || flags.releases !== undefined))
        throw new UsageError('conflict', 'give either --db or --accounts/--releases, not both');
      if (flags.db !== undefined && !existsSync(flags.db))
        throw new UsageError('missing_argument', `no database at ${flags.db}`);

      const adminToken = process.env[ADMIN_TOKEN_ENV];
      if (flags.notify !== undefined) {
        if (!URL.canParse(flags.notify))
          throw new UsageError('bad_option', `--notify must be a URL, got "${flags.notify}"`);
        if (adminToken === undefined || adminToken === '')
          throw new UsageError(
            'missing_argument',
            `--notify needs the gateway's admin token in $${ADMIN_TOKEN_ENV}`,
          );
      }
      const notifier =
        flags.notify === undefined ? null : new GatewayNotifier(flags.notify, adminToken as string);
      const fb = await feedbackFlag(
        flags.feedback,
        flags.db === undefined ? null : defaultFeedbackPath(flags.db),
      );
      const { accounts, releases } = await loadContext(flags);
      mkdirSync(flags.out, { recursive: true });
      const alerts = new LineFile(join(flags.out, 'alerts.jsonl'));
      const rejects = new LineFile(join(flags.out, 'rejects.jsonl'));
      const engine = new WatchEngine({
        seed,
        accounts,
        releases,
        relinkEveryMs: relink * 60_000,
        ...(fb === null ? {} : { feedback: fb.feedback }),
        onAlert: (a: Alert) => {
          alerts.write([a]);
          notifier?.alert(a);
        },
        onRelink: (j) => notifier?.campaigns(j.campaigns),
      });
      const snapshot = () => writeSnapshot(engine, flags.out);
      const started = performance.now();
      const counts = { read: 0, rejected: 0 };
      const take = (records: readonly Exchange[], issues: readonly RecordIssue[]) => {
        counts.read += records.length;
        for (const i of issues) if (i.action === 'rejected') counts.rejected++;
        rejects.write(issues);
        for (const e of records) engine.push(e);
      };
      try {
        for (const f of files) await replay(f, take, speed, flags.quiet === true);
        if (port !== null) {
          const server = await listen(port, flags.host, token as string, take, engine);
          const addr = server.address();
          process.stderr.write(
            `watch: listening on http://${flags.host}:${typeof addr === 'object' && addr !== null ? addr.port : port}/v1/exchanges (Ctrl-C to stop)\n`,
          );
          const timer = setInterval(() => {
            if (engine.judgement !== null) snapshot();
          }, SNAPSHOT_EVERY_S * 1000);
          await new Promise<void>((resolve) => {
            const stop = () => {
              clearInterval(timer);
              server.close(() => resolve());
            };
            process.once('SIGINT', stop);
            process.once('SIGTERM', stop);
          });
        }
        if (engine.stats.exchanges > 0) engine.finish();
        snapshot();
      } finally {
        alerts.close();
        rejects.close();
        await notifier?.close();
      }
      const s = engine.stats;
      const secs = (performance.now() - started) / 1000;
      process.stdout.write(
        `${s.exchanges.toLocaleString('en-US')} exchanges (${counts.rejected} rejected) from ${s.accounts.toLocaleString('en-US')} accounts in ${secs.toFixed(1)} s` +
          ` (${Math.round(s.exchanges / Math.max(secs, 1e-9)).toLocaleString('en-US')}/s); ${s.relinks} full passes (${s.relinkSeconds.toFixed(1)} s); text: ${engine.textMode}\n` +
          `${s.alerts} alerts → ${join(flags.out, 'alerts.jsonl')}; verdicts and campaigns → ${flags.out}\n` +
          (s.outOfOrder > 0 ? `warning: ${s.outOfOrder} exchanges arrived out of time order\n` : '') +
          (counts.rejected > 0 ? `rejected records: ${join(flags.out, 'rejects.jsonl')}\n` : '') +
          (notifier === null
            ? ''
            : `gateway updates: ${notifier.stats.sent} sent, ${notifier.stats.dropped} dropped\n`),
      );
    });
}

export type Take = (records: readonly Exchange[], issues: readonly RecordIssue[]) => void;

async function replay(file: string, take: Take, speed: number | null, quiet: boolean): Promise<void> {
  const stdin = file === '-';
  const size = stdin ? 0 : statSync(file).size;
  const bar = createProgress({
    label: 'watch',
    total: Math.max(1, size),
    quiet: quiet || stdin,
    show: (b) => `${(b / 1e6).toFixed(1)} MB`,
  });
  const stream = stdin
    ? readJsonl(process.stdin as Readable, 'exchanges', '<stdin>')
    : openRecords(file, 'exchanges');
  let t0Event = Number.NaN;
  const t0Wall = performance.now();
  let n = 0;
  for await (const batch of stream) {
    if (speed === null) take(batch.records, batch.issues);
    else {
      // Paced: each exchange waits until its event time, scaled, has passed on the wall clock.
      let from = 0;
      for (let i = 0; i <= batch.records.length; i++) {
        const e = batch.records[i];
        if (e !== undefined && Number.isNaN(t0Event)) t0Event = e.ts;
        const due = e === undefined ? 0 : (e.ts - t0Event) / speed - (performance.now() - t0Wall);
        if (e === undefined || due > 5) {
          take(batch.records.slice(from, i), i === batch.records.length ? batch.issues : []);
          from = i;
          if (e !== undefined) await new Promise((r) => setTimeout(r, due));
        }
      }
    }
    n += batch.records.length;
    bar.update(batch.bytesRead, `${n.toLocaleString('en-US')} exchanges`);
  }
  bar.stop();
}

/** The HTTP intake of `watch --listen`: POST /v1/exchanges (NDJSON, bearer token), GET /v1/health. */
export function listen(
  port: number,
  host: string,
  token: string,
  take: Take,
  engine: WatchEngine,
): Promise<Server> {
  const expected = Buffer.from(`Bearer ${token}`);
  const authorised = (req: IncomingMessage): boolean => {
    const got = Buffer.from(req.headers.authorization ?? '');
    return got.length === expected.length && timingSafeEqual(got, expected);
  };
  const reply = (res: ServerResponse, status: number, body: object) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/v1/health' && req.method === 'GET') {
      reply(res, 200, {
        status: 'ok',
        exchanges: engine.stats.exchanges,
        accounts: engine.stats.accounts,
        alerts: engine.stats.alerts,
      });
      return;
    }
    if (url !== '/v1/exchanges') {
      reply(res, 404, { error: { code: 'not_found', message: `no route ${req.method} ${url}` } });
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      reply(res, 405, { error: { code: 'method_not_allowed', message: 'POST NDJSON exchanges here' } });
      return;
    }
    if (!authorised(req)) {
      reply(res, 401, { error: { code: 'unauthorized', message: 'missing or wrong bearer token' } });
      req.resume();
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reply(res, 413, {
        error: { code: 'too_large', message: `body over ${MAX_BODY_BYTES} bytes: send smaller batches` },
      });
      req.resume();
      return;
    }
    void (async () => {
      const issues: RecordIssue[] = [];
      let accepted = 0;
      let received = 0;
      req.on('data', (c: Buffer) => {
        received += c.length;
        if (received > MAX_BODY_BYTES) req.destroy(new Error('too large'));
      });
      try {
        for await (const batch of readJsonl(req, 'exchanges', 'POST /v1/exchanges')) {
          take(batch.records, batch.issues);
          accepted += batch.records.length;
          issues.push(...batch.issues);
        }
        const rejected = issues.filter((i) => i.action === 'rejected').length;
        reply(res, rejected > 0 && accepted === 0 ? 422 : 200, {
          accepted,
          rejected,
          issues: issues.slice(0, 50),
        });
      } catch (err) {
        const msg = err instanceof FormatError || err instanceof Error ? err.message : String(err);
        if (!res.headersSent)
          reply(res, received > MAX_BODY_BYTES ? 413 : 400, {
            error: { code: 'bad_body', message: msg },
            accepted,
          });
      }
    })();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** Verdicts and campaigns of the last full pass, each file replaced whole (never half written). */
function writeSnapshot(engine: WatchEngine, dir: string): void {
  const { verdicts, campaigns } = engine.results();
  for (const [name, rows] of [
    ['verdicts.jsonl', verdicts],
    ['campaigns.jsonl', campaigns],
  ] as const) {
    const tmp = join(dir, `.${name}.tmp`);
    writeFileSync(tmp, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    renameSync(tmp, join(dir, name));
  }
}

async function loadContext(
  flags: WatchFlags,
): Promise<{ accounts: AccountInfo[]; releases: { model: string; released_at: number }[] }> {
  if (flags.db !== undefined) {
    const store = await openDuckDbStore(flags.db, { config: { access_mode: 'READ_ONLY' } });
    try {
      const f = store.features();
      return { accounts: await f.accountInfo(), releases: await f.releases() };
    } finally {
      await store.close();
    }
  }
  const accounts: AccountInfo[] = [];
  if (flags.accounts !== undefined)
    for await (const b of openRecords(flags.accounts, 'accounts')) {
      if (b.issues.some((i) => i.action === 'rejected'))
        throw new UsageError(
          'bad_option',
          `${flags.accounts}: ${b.issues[0]?.reason ?? 'bad record'} (line ${b.issues[0]?.line})`,
        );
      for (const a of b.records) accounts.push(accountInfoOf(a));
    }
  const releases: { model: string; released_at: number }[] = [];
  if (flags.releases !== undefined)
    for await (const b of openRecords(flags.releases, 'releases'))
      for (const r of b.records) releases.push({ model: r.model, released_at: r.released_at });
  return { accounts, releases };
}
