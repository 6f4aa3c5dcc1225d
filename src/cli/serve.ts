/**
 * `distillguard serve --db PATH`: the investigation dashboard and its API over a store and the
 * output of `distillguard hunt` (docs/dashboard.md). The first run creates the first admin with
 * `--init-admin`; further users and API tokens are created by an admin in the dashboard.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { packageRoot } from '../../sim/index.js';
import {
  defaultPaths,
  MIN_PASSWORD_LENGTH,
  ServeConfigError,
  startServer,
  UserDirectory,
} from '../server/index.js';
import { DEFAULT_DB } from './ingest.js';
import { UsageError } from './usage-error.js';

/** Default port: unassigned by IANA and clear of the usual dev servers (3000, 5173, 8080, 8787). */
export const DEFAULT_PORT = 8640;
/** Environment variable that sets the first admin's password instead of generating one. */
export const ADMIN_PASSWORD_ENV = 'DISTILLGUARD_ADMIN_PASSWORD';

interface ServeFlags {
  db: string;
  findings?: string;
  alerts?: string;
  users?: string;
  journal?: string;
  feedback?: string;
  host: string;
  port: string;
  initAdmin?: string | boolean;
  memoryLimit: string;
  secureCookies?: boolean;
  allowedOrigin?: string[];
  web?: string;
  quiet?: boolean;
}

const HELP = `
Serves the dashboard and its API (http://HOST:PORT/, API under /api) over:
  --db        the store (opened read-only: stop ingest/hunt on that file while serving)
  --findings  the output of \`distillguard hunt\` (default: <dir of db>/hunt)
  --alerts    alerts.jsonl written by \`distillguard watch\`, followed live (optional)
It writes, beside the database unless told otherwise:
  users.json     local users (scrypt-hashed passwords) and API tokens, mode 0600
  analyst.jsonl  the audit journal of every analyst decision (append-only, hash-chained)
  feedback.json  the current decisions, read by hunt, watch and the gateway (docs/feedback.md)

First run: add --init-admin to create the user "admin" (or --init-admin NAME); its password is
printed once (or taken from $${ADMIN_PASSWORD_ENV}). Log in with it, then create analysts and
viewers under Admin. Viewers never see raw prompt text.

Example (after \`npm run demo\`):
  distillguard serve --db distillguard-demo/demo.duckdb --init-admin

Exit status: 0 stopped by Ctrl-C / SIGTERM, 2 a file is missing or a flag is wrong.`;

async function loadOrInitUsers(
  path: string,
  initAdmin: string | boolean | undefined,
  db: string,
): Promise<{ users: UserDirectory; created: { name: string; password: string | null } | null }> {
  if (initAdmin === undefined || initAdmin === false) {
    if (!existsSync(path))
      throw new UsageError(
        'missing_argument',
        `no users yet (${path}): run \`distillguard serve --db ${db} --init-admin\` once to create the first admin`,
      );
    return { users: await UserDirectory.load(path), created: null };
  }
  const name = typeof initAdmin === 'string' ? initAdmin : 'admin';
  const users = existsSync(path) ? await UserDirectory.load(path) : UserDirectory.empty(path);
  if (users.size > 0)
    throw new UsageError(
      'conflict',
      `${path} already has users: --init-admin only creates the first one (log in as an admin to add more)`,
    );
  const fromEnv = process.env[ADMIN_PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv.length < MIN_PASSWORD_LENGTH)
    throw new UsageError(
      'bad_option',
      `${ADMIN_PASSWORD_ENV} must have at least ${MIN_PASSWORD_LENGTH} characters`,
    );
  try {
    const password = await users.addUser(name, 'admin', fromEnv);
    return { users, created: { name, password: fromEnv === undefined ? password : null } };
  } catch (err) {
    if (err instanceof Error && err.name === 'ZodError')
      throw new UsageError('bad_option', `--init-admin: "${name}" is not a valid user name`);
    throw err;
  }
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('the investigation dashboard and its HTTP API over a store and hunt findings')
    .option('--db <path>', 'DuckDB store written by `distillguard ingest`', DEFAULT_DB)
    .option('--findings <dir>', 'output directory of `distillguard hunt` (default: <dir of db>/hunt)')
    .option('--alerts <file>', 'alerts.jsonl written by `distillguard watch`, followed live')
    .option('--users <file>', 'users and API tokens (default: <dir of db>/users.json)')
    .option('--journal <file>', 'audit journal (default: <dir of db>/analyst.jsonl)')
    .option('--feedback <file>', 'feedback for hunt/watch/gateway (default: <dir of db>/feedback.json)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on', String(DEFAULT_PORT))
    .option('--init-admin [name]', 'create the first admin user and print its password once')
    .option('--memory-limit <size>', "DuckDB's memory limit", '2GB')
    .option('--secure-cookies', 'mark the session cookie Secure (when served over HTTPS)')
    .option('--allowed-origin <origin...>', 'public origin(s) of a reverse proxy in front (for CSRF checks)')
    .option('--web <dir>', 'built dashboard to serve (default: the package’s dist/web)')
    .option('--quiet', 'no request log on stderr')
    .addHelpText('after', HELP)
    .action(async (flags: ServeFlags) => {
      const port = Number(flags.port);
      if (!Number.isSafeInteger(port) || port < 0 || port > 65_535)
        throw new UsageError('bad_option', `--port must be 0..65535, got "${flags.port}"`);
      if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(flags.memoryLimit))
        throw new UsageError(
          'bad_option',
          `--memory-limit must be a size such as 2GB, got "${flags.memoryLimit}"`,
        );
      for (const o of flags.allowedOrigin ?? []) {
        let ok = false;
        try {
          ok = new URL(o).origin === o;
        } catch {
          ok = false;
        }
        if (!ok)
          throw new UsageError(
            'bad_option',
            `--allowed-origin must be an origin such as https://dg.example.com, got "${o}"`,
          );
      }
      if (!existsSync(flags.db))
        throw new UsageError(
          'missing_argument',
          `no database at ${flags.db} (create one with \`distillguard demo\` or \`distillguard ingest FILE… --db ${flags.db}\`)`,
        );
      const paths = defaultPaths(flags.db);
      const usersPath = flags.users ?? paths.users;
      const web = flags.web ?? join(packageRoot(), 'dist', 'web');
      try {
        const { users, created } = await loadOrInitUsers(usersPath, flags.initAdmin, flags.db);
        const quiet = flags.quiet === true;
        const server = await startServer({
          db: flags.db,
          findings: flags.findings ?? paths.findings,
          alerts: flags.alerts ?? null,
          users,
          journal: flags.journal ?? paths.journal,
          feedback: flags.feedback ?? paths.feedback,
          webRoot: web,
          memoryLimit: flags.memoryLimit,
          secureCookies: flags.secureCookies === true,
          allowedOrigins: flags.allowedOrigin ?? [],
          host: flags.host,
          port,
          log: (line) => {
            if (!quiet) process.stderr.write(`${new Date().toISOString()} ${line}\n`);
          },
        });
        const f = await server.deps.findings.get();
        const out = (s: string) => process.stdout.write(`${s}\n`);
        out(`distillguard serve: ${server.url}/`);
        out(`  store     ${flags.db} (read-only)`);
        out(
          `  findings  ${f.dir}: ${f.campaigns.length} campaigns, ${f.verdicts.size.toLocaleString('en-US')} accounts scored` +
            (f.badLines > 0 ? ` (${f.badLines} bad lines skipped)` : ''),
        );
        out(`  alerts    ${flags.alerts ?? '(none; pass --alerts FILE written by `distillguard watch`)'}`);
        out(`  users     ${usersPath} (${users.size} user${users.size === 1 ? '' : 's'})`);
        out(
          `  journal   ${server.deps.journal.path ?? '(memory)'} → ${server.deps.journal.feedbackPath ?? '(none)'}`,
        );
        if (!existsSync(join(web, 'index.html')))
          out(`  dashboard not built at ${web}: run \`npm run build\`; the API works without it`);
        if (created !== null) {
          out(`created the first admin "${created.name}" in ${usersPath}`);
          if (created.password !== null)
            out(`  password: ${created.password}   (shown once; keep it in a password manager)`);
          else out(`  password: from $${ADMIN_PASSWORD_ENV}`);
        }
        out(`log in at ${server.url}/ — Ctrl-C stops the server`);
        const started = performance.now();
        void server.indexes.ready.then(
          () => out(`store indexed in ${((performance.now() - started) / 1000).toFixed(1)} s`),
          (err: Error) => process.stderr.write(`distillguard: indexing the store failed: ${err.name}\n`),
        );
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            void server.stop().then(resolve);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
      } catch (err) {
        if (err instanceof ServeConfigError) throw new UsageError('bad_option', err.message);
        throw err;
      }
    });
}
