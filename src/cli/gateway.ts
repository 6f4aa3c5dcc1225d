/**
 * `distillguard gateway --upstream URL`: a reverse proxy in front of an OpenAI- or
 * Anthropic-compatible API that enforces the verdicts of `hunt` / `watch` (allow, throttle,
 * step-up, degrade, block), catches banned operators coming back under new accounts, and captures
 * every exchange for `ingest` / `watch`. docs/gateway.md.
 */
import type { Command } from 'commander';
import {
  type ActionMap,
  type DecisionEvent,
  EnforceError,
  Enforcer,
  type EnforcerOptions,
  type ExchangeSink,
  FAIL_MODES,
  type FailMode,
  FeedbackFile,
  HttpSink,
  HuntDirFeed,
  loadAccounts,
  loadKeysFile,
  openRedisState,
  type RunningGateway,
  SegmentSink,
  startGateway,
  TEXT_MODES,
  type TextMode,
} from '../enforce/index.js';
import { VERDICTS } from '../formats/index.js';
import { UsageError } from './usage-error.js';

/** Environment variables that carry secrets (never flags: flags show in `ps`). */
export const ADMIN_TOKEN_ENV = 'DISTILLGUARD_ADMIN_TOKEN';
export const WATCH_TOKEN_ENV = 'DISTILLGUARD_WATCH_TOKEN';

export const DEFAULT_GATEWAY_PORT = '8080';

const HELP = `
Put it between your clients and the API; point the clients' base URL at it:
  OpenAI SDK:    baseURL = http://HOST:PORT/v1      Anthropic SDK: baseURL = http://HOST:PORT
The request path is appended to --upstream as it is, so --upstream is the origin
(https://api.openai.com, https://api.anthropic.com, or your own).

What it does per request, for /v1/chat/completions, /v1/responses and /v1/messages:
  1. who: the API key → account via --keys (JSON: {"keys":[{"account_id","key"|"key_sha256",
     "key_id"?}]}), or --account-header set by a trusted edge; an unknown key is its own account.
  2. verdict: the account's, or its campaign's (members inherit it), from --verdicts (a
     \`distillguard hunt\` output directory, reloaded when it changes) and from updates pushed
     to POST /_distillguard/v1/updates (NDJSON verdicts, campaigns or alerts; bearer token
     from $${ADMIN_TOKEN_ENV}). An unknown account whose payment fingerprint (--accounts), IP
     or /24 + TLS fingerprint (--tls-header) … match a throttled/blocked campaign's indicators
     takes that campaign's verdict (a user agent alone never does).
  3. action, per --actions (default clear=allow, watch=allow, throttle=throttle, block=block):
     allow · throttle (token bucket per campaign, 429 + Retry-After) · step_up (403
     "verification_required") · degrade (reasoning removed from the response) · block (403);
     errors come in the caller's API shape. Everything else passes through byte for byte.
  4. capture: one exchange record per request (docs/formats.md) to --capture DIR (rotating
     .jsonl segments for \`ingest\`) and/or --watch-url (bearer token from $${WATCH_TOKEN_ENV});
     --text says whether prompts are recorded raw, as fingerprints only, or not at all.
Raw keys and prompts never appear in logs; decisions other than allow are logged to stderr
as JSON lines (account, action, reason).

Examples:
  distillguard gateway --upstream https://api.openai.com --listen 8080 --keys keys.json \\
      --verdicts hunt/ --capture exchanges/
  distillguard gateway --upstream http://127.0.0.1:9000 --redis redis://127.0.0.1:6379 \\
      --fail closed --actions watch=degrade,throttle=step_up --watch-url http://watch:7070

Health: GET /_distillguard/v1/health (503 while Redis or the verdicts are unreachable);
stats: GET /_distillguard/v1/stats (admin token).
Exit status: 0 stopped by SIGINT/SIGTERM, 2 a flag or file is wrong.`;

export interface GatewayFlags {
  upstream?: string;
  listen: string;
  host: string;
  keys?: string;
  accountHeader?: string;
  verdicts?: string;
  feedback?: string;
  accounts?: string;
  redis?: string;
  fail: string;
  capture?: string;
  watchUrl?: string;
  text: string;
  tlsHeader?: string;
  actions?: string;
  throttle?: string;
  stepUpUrl?: string;
  trustForwardedFor?: boolean;
  quiet?: boolean;
}

/** `watch=degrade,throttle=step_up` → a partial action map; rejects unknown verdicts and actions. */
export function parseActions(s: string): Partial<ActionMap> {
  const out: Record<string, string> = {};
  for (const part of s.split(',')) {
    const [k, v] = part.split('=').map((x) => x.trim());
    if (k === undefined || v === undefined || !(VERDICTS as readonly string[]).includes(k))
      throw new UsageError(
        'bad_option',
        `--actions: "${part}" is not VERDICT=ACTION (verdicts: ${VERDICTS.join(', ')})`,
      );
    if (!['allow', 'throttle', 'step_up', 'degrade', 'block'].includes(v))
      throw new UsageError(
        'bad_option',
        `--actions: unknown action "${v}" (allow, throttle, step_up, degrade, block)`,
      );
    out[k] = v;
  }
  return out as Partial<ActionMap>;
}

/** `6/min`, `2/s`, `100/h`, optionally `,burst=N` → bucket limits. */
export function parseThrottle(s: string): { ratePerSec: number; burst: number } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(s|sec|min|m|h|hour)\s*(?:,\s*burst\s*=\s*(\d+))?\s*$/i.exec(s);
  if (m === null)
    throw new UsageError('bad_option', `--throttle must look like 6/min or 2/s,burst=5, got "${s}"`);
  const per = { s: 1, sec: 1, m: 60, min: 60, h: 3600, hour: 3600 }[(m[2] ?? 's').toLowerCase()] ?? 1;
  const ratePerSec = Number(m[1]) / per;
  const burst = m[3] !== undefined ? Number(m[3]) : Math.max(1, Math.ceil(Number(m[1]) / 2));
  if (ratePerSec <= 0 || burst < 1)
    throw new UsageError('bad_option', `--throttle: rate and burst must be positive`);
  return { ratePerSec, burst };
}

function oneOf<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v))
    throw new UsageError('bad_option', `${flag} must be one of ${allowed.join(', ')}, got "${v}"`);
  return v as T;
}

function asUsage(e: unknown): never {
  if (e instanceof EnforceError) throw new UsageError('bad_option', e.message);
  throw e;
}

/** Builds and starts the gateway the flags describe. */
export async function runGateway(
  flags: GatewayFlags,
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<RunningGateway> {
  if (flags.upstream === undefined)
    throw new UsageError(
      'missing_argument',
      '--upstream URL is required (the API to put the gateway in front of)',
    );
  const port = Number(flags.listen);
  if (!Number.isSafeInteger(port) || port < 0 || port > 65_535)
    throw new UsageError('bad_option', `--listen must be a port number, got "${flags.listen}"`);
  const failMode: FailMode = oneOf('--fail', flags.fail, FAIL_MODES);
  const text: TextMode = oneOf('--text', flags.text, TEXT_MODES);
  const opts: EnforcerOptions = { failMode, text };
  if (flags.actions !== undefined) opts.actions = parseActions(flags.actions);
  if (flags.throttle !== undefined) opts.throttle = parseThrottle(flags.throttle);
  if (flags.accountHeader !== undefined) opts.accountHeader = flags.accountHeader;
  if (flags.tlsHeader !== undefined) opts.tlsFingerprintHeader = flags.tlsHeader;
  if (flags.stepUpUrl !== undefined) opts.stepUpUrl = flags.stepUpUrl;
  try {
    if (flags.keys !== undefined) opts.keys = loadKeysFile(flags.keys);
    if (flags.accounts !== undefined) {
      const a = await loadAccounts(flags.accounts);
      opts.accounts = a.accounts;
      if (a.rejected > 0)
        log(`distillguard gateway: ${flags.accounts}: ${a.rejected} account records rejected`);
    }
    if (flags.verdicts !== undefined) opts.feed = new HuntDirFeed(flags.verdicts);
    if (flags.feedback !== undefined) {
      const f = new FeedbackFile(flags.feedback, log);
      await f.start();
      opts.feedback = f.get;
    }
    const sinks: ExchangeSink[] = [];
    if (flags.capture !== undefined) sinks.push(new SegmentSink(flags.capture));
    if (flags.watchUrl !== undefined) {
      const token = env[WATCH_TOKEN_ENV];
      sinks.push(new HttpSink(flags.watchUrl, token !== undefined ? { token } : {}));
    }
    opts.sinks = sinks;
    // Fail-open starts while Redis is down (and enforces once it is back); fail-closed waits for it.
    if (flags.redis !== undefined)
      opts.state = await openRedisState(flags.redis, { waitForReady: failMode === 'closed' });
    if (flags.quiet !== true)
      opts.onDecision = (e: DecisionEvent) =>
        log(
          JSON.stringify({
            ts: new Date().toISOString(),
            account: e.account,
            endpoint: e.endpoint,
            action: e.decision.action,
            outcome: e.outcome,
            reason: e.decision.reason,
          }),
        );
    const enforcer = await Enforcer.create(opts);
    const adminToken = env[ADMIN_TOKEN_ENV];
    return await startGateway({
      upstream: flags.upstream,
      enforcer,
      port,
      host: flags.host,
      ...(adminToken !== undefined && adminToken !== '' ? { adminToken } : {}),
      ...(flags.trustForwardedFor === true ? { trustForwardedFor: true } : {}),
    });
  } catch (e) {
    return asUsage(e);
  }
}

export function registerGateway(program: Command): void {
  program
    .command('gateway')
    .description('enforce verdicts inline: a proxy in front of an OpenAI/Anthropic-compatible API')
    .option('--upstream <url>', 'the API to proxy to (origin, e.g. https://api.anthropic.com)')
    .option('--listen <port>', 'port to listen on (0 picks a free one)', DEFAULT_GATEWAY_PORT)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--keys <file>', 'API key → account map (JSON)')
    .option('--account-header <name>', 'take the account from this header (only behind a trusted edge)')
    .option('--verdicts <dir>', '`distillguard hunt` output directory (verdicts.jsonl, campaigns.jsonl)')
    .option(
      '--feedback <file>',
      "analysts' decisions (serve's feedback.json): their enforcement actions override the verdicts'",
    )
    .option('--accounts <file>', 'accounts file (payment fingerprints for ban evasion, trust marks)')
    .option('--redis <url>', 'share buckets and verdicts between replicas through Redis')
    .option(
      '--fail <mode>',
      'when Redis or the verdicts are unreachable: open (serve) or closed (503)',
      'open',
    )
    .option('--capture <dir>', 'write exchange records to rotating .jsonl segments here')
    .option(
      '--watch-url <url>',
      `POST exchange records to \`distillguard watch\` (token: $${WATCH_TOKEN_ENV})`,
    )
    .option('--text <mode>', 'prompt text in captured records: raw, fingerprint or none', 'fingerprint')
    .option('--tls-header <name>', 'header carrying the client TLS fingerprint (e.g. x-ja4)')
    .option('--actions <map>', 'verdict → action, e.g. watch=degrade,throttle=step_up')
    .option(
      '--throttle <rate>',
      'token bucket of throttled accounts/campaigns, e.g. 6/min,burst=3',
      '6/min,burst=3',
    )
    .option('--step-up-url <url>', 'where a step-up error sends the caller to verify')
    .option('--trust-forwarded-for', 'client address from X-Forwarded-For (behind a trusted load balancer)')
    .option('--quiet', 'do not log decisions')
    .addHelpText('after', HELP)
    .action(async (flags: GatewayFlags) => {
      const running = await runGateway(flags);
      process.stdout.write(
        `distillguard gateway: ${running.url} → ${flags.upstream ?? ''}` +
          ` (verdicts: ${flags.verdicts ?? 'pushed only'}, state: ${flags.redis !== undefined ? 'redis' : 'memory'},` +
          ` fail ${flags.fail}, capture: ${[flags.capture, flags.watchUrl].filter((x) => x !== undefined).join(' + ') || 'off'})\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await running.close();
      process.stdout.write('distillguard gateway: stopped\n');
    });
}
