/**
 * Assembles the server from paths (what `distillguard serve` and the tests call): the read-only
 * store and its index tables, the hunt findings, the alert feed, the users file, the journal.
 */
import { existsSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { createApp } from './app.js';
import { SessionStore } from './auth/sessions.js';
import type { UserDirectory } from './auth/users.js';
import { AlertFeed } from './data/alerts.js';
import { CampaignParts } from './data/campaign-parts.js';
import { DuckReader } from './data/duck.js';
import { FindingsSource } from './data/findings.js';
import { Indexes } from './data/indexes.js';
import { StoreQueries } from './data/queries.js';
import type { ServerDeps } from './deps.js';
import type { AppEnv } from './env.js';
import { ServeConfigError } from './errors.js';
import { Journal } from './journal.js';
import { WebAssets } from './static-assets.js';

export interface ServerOptions {
  /** DuckDB store written by `distillguard ingest` (opened read-only). */
  db: string;
  /** Output directory of `distillguard hunt` (default: <dir of db>/hunt). */
  findings?: string;
  /** alerts.jsonl written by `distillguard watch` (null: no feed). */
  alerts?: string | null;
  users: UserDirectory;
  /** Analyst journal (default: <dir of db>/analyst.jsonl); null keeps it in memory (tests). */
  journal?: string | null;
  /** Feedback document (default: <dir of db>/feedback.json); null: not written. */
  feedback?: string | null;
  /** Built dashboard (dist/web); null: API only. */
  webRoot?: string | null;
  memoryLimit?: string;
  threads?: number;
  secureCookies?: boolean;
  allowedOrigins?: readonly string[];
  log?: (line: string) => void;
}

export interface OpenServer {
  app: Hono<AppEnv>;
  deps: ServerDeps;
  indexes: Indexes;
  close(): void;
}

/** Default places of the server's files, beside the database (the demo's layout). */
export function defaultPaths(db: string): {
  findings: string;
  journal: string;
  feedback: string;
  users: string;
} {
  const dir = dirname(db);
  return {
    findings: join(dir, 'hunt'),
    journal: join(dir, 'analyst.jsonl'),
    feedback: join(dir, 'feedback.json'),
    users: join(dir, 'users.json'),
  };
}

export async function openServer(opts: ServerOptions): Promise<OpenServer> {
  const paths = defaultPaths(opts.db);
  const findingsDir = opts.findings ?? paths.findings;
  if (!existsSync(findingsDir) || !statSync(findingsDir).isDirectory())
    throw new ServeConfigError(
      'bad_findings',
      `no hunt output at ${findingsDir} (run \`distillguard hunt --db ${opts.db} --out ${findingsDir}\`, or pass --findings DIR)`,
    );
  if (!existsSync(join(findingsDir, 'verdicts.jsonl')))
    throw new ServeConfigError(
      'bad_findings',
      `${findingsDir} holds no verdicts.jsonl (is it the output of hunt?)`,
    );
  const journal = await Journal.open(
    opts.journal === undefined ? paths.journal : opts.journal,
    opts.feedback === undefined ? paths.feedback : opts.feedback,
  );
  const db = await DuckReader.open(opts.db, {
    ...(opts.memoryLimit === undefined ? {} : { memoryLimit: opts.memoryLimit }),
    ...(opts.threads === undefined ? {} : { threads: opts.threads }),
  });
  const indexes = new Indexes(db);
  const alerts = new AlertFeed(opts.alerts ?? null);
  await alerts.start();
  const queries = new StoreQueries(db, indexes);
  const findings = new FindingsSource(findingsDir, db);
  const campaignParts = new CampaignParts(queries, findings);
  // In the background, after the index tables: the strongest campaigns' graphs, timelines, samples.
  campaignParts.start();
  const deps: ServerDeps = {
    queries,
    findings,
    campaignParts,
    journal,
    alerts,
    users: opts.users,
    sessions: new SessionStore(),
    log: opts.log ?? ((line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`)),
    secureCookies: opts.secureCookies ?? false,
    allowedOrigins: opts.allowedOrigins ?? [],
  };
  const app = createApp(deps, WebAssets.load(opts.webRoot ?? null));
  return {
    app,
    deps,
    indexes,
    close() {
      alerts.close();
      // Let index building and precomputing finish or fail before the connections go away.
      void indexes.ready
        .catch(() => undefined)
        .then(() => campaignParts.stop())
        .finally(() => db.close());
    },
  };
}

export interface RunningServer extends OpenServer {
  url: string;
  stop(): Promise<void>;
}

/** Opens the server and listens (port 0: any free port). */
export async function startServer(
  opts: ServerOptions & { host?: string; port?: number },
): Promise<RunningServer> {
  const s = await openServer(opts);
  const host = opts.host ?? '127.0.0.1';
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>(
    (resolve, reject) => {
      const srv = serve({ fetch: s.app.fetch, hostname: host, port: opts.port ?? 0 }, (info: AddressInfo) =>
        resolve({ server: srv, port: info.port }),
      );
      srv.once('error', reject);
    },
  );
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    ...s,
    url: `http://${shown}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        // Open event streams would keep the server from closing.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => {
          s.close();
          resolve();
        });
      }),
  };
}
