/**
 * The enforcement core that the proxy (proxy.ts) and the Hono middleware (middleware.ts) share:
 * caller → account → decision → admission, exchange capture, verdict updates. It is assembled
 * from ports (StateStore, VerdictFeed, ExchangeSink) chosen by whoever builds it; options are
 * validated here, once, and a bad one throws an EnforceError with the option's name.
 *
 * Fail mode: while the StateStore (Redis) or the VerdictFeed is unreachable, `closed` answers
 * every model request with a 503 in the caller's API shape; `open` lets requests through with the
 * last verdicts it had, and skips the token buckets it cannot reach (counted in `stats`).
 */
import { z } from 'zod';
import type { FeedbackIndex } from '../feedback/index.js';
import { VERDICTS } from '../formats/index.js';
import type { AccountInfo } from './accounts.js';
import { type Endpoint, type GatewayError, requestFacts } from './api.js';
import { type Caller, type HeaderGetter, type KeyInfo, resolveCaller } from './callers.js';
import { CaptureQueue, type ExchangeSink, type PendingExchange, TEXT_MODES } from './capture.js';
import { EnforceError } from './errors.js';
import { type Artifacts, EvasionIndex } from './evasion.js';
import { ACTIONS, type ActionMap, assertNever, DEFAULT_ACTIONS, type Decision, Policy } from './policy.js';
import { type BucketLimits, memoryState, type StateStore } from './state.js';
import { VerdictBook, type VerdictUpdate } from './verdict-book.js';
import type { VerdictFeed } from './verdict-feed.js';

/**
 * Throttle default: 6 requests a minute with bursts of 3. A harvesting account sends hundreds to
 * thousands of requests an hour (THREAT-MODEL.md); a person reading answers sends a few a minute,
 * so a throttled legitimate user is slowed, not stopped, while harvesting drops ~100-fold.
 */
export const DEFAULT_THROTTLE: BucketLimits = { ratePerSec: 0.1, burst: 3 };

export const FAIL_MODES = ['open', 'closed'] as const;
export type FailMode = (typeof FAIL_MODES)[number];

const HeaderName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name')
  .transform((s) => s.toLowerCase());

const Settings = z
  .object({
    actions: z.partialRecord(z.enum(VERDICTS), z.enum(ACTIONS)).default({}),
    throttle: z
      .object({ ratePerSec: z.number().positive().finite(), burst: z.number().int().min(1) })
      .default(DEFAULT_THROTTLE),
    failMode: z.enum(FAIL_MODES).default('open'),
    text: z.enum(TEXT_MODES).default('fingerprint'),
    accountHeader: HeaderName.optional(),
    tlsFingerprintHeader: HeaderName.optional(),
    stepUpUrl: z.url().optional(),
    evasionVerdicts: z.array(z.enum(VERDICTS)).default(['throttle', 'block']),
  })
  .strict();
export type EnforcerSettings = z.input<typeof Settings>;

export interface EnforcerOptions extends EnforcerSettings {
  state?: StateStore;
  feed?: VerdictFeed | null;
  keys?: Map<string, KeyInfo>;
  accounts?: Map<string, AccountInfo>;
  sinks?: readonly ExchangeSink[];
  /** The analysts' decisions in force (dashboard feedback.json): their enforcement actions
   * override the verdicts' (feedback-file.ts keeps one current). */
  feedback?: () => FeedbackIndex | null;
  /** Epoch milliseconds (injected in tests). */
  clock?: () => number;
  /** Called for every decision that is not a plain allow (no prompts, no keys in it). */
  onDecision?: (e: DecisionEvent) => void;
}

export interface DecisionEvent {
  account: string;
  endpoint: Endpoint | null;
  decision: Decision;
  outcome: Admission['kind'];
}

export interface AdmitInput {
  endpoint: Endpoint | null;
  get: HeaderGetter;
  ip: string;
  /** The request body, for evasion matching on the prompt template (read only when needed). */
  body: Buffer | null;
}

export type Admission =
  | { kind: 'forward'; caller: Caller; decision: Decision; degrade: boolean }
  | { kind: 'reject'; caller: Caller; decision: Decision | null; error: GatewayError };

export interface EnforcerStats {
  requests: number;
  forwarded: number;
  degraded: number;
  throttled: number;
  step_up: number;
  blocked: number;
  unavailable: number;
  fail_open: number;
  evaders: number;
}

/** Shown to the caller when the verdicts cannot be loaded. */
const FEED_WHAT = 'verdict source';
const STATE_WHAT = 'state store';

export class Enforcer {
  readonly book = new VerdictBook();
  readonly state: StateStore;
  readonly capture: CaptureQueue;
  readonly settings: z.output<typeof Settings>;
  private readonly policy: Policy;
  private readonly overlay = new Map<string, VerdictUpdate>();
  private readonly counts = {
    requests: 0,
    forwarded: 0,
    degraded: 0,
    throttled: 0,
    step_up: 0,
    blocked: 0,
    unavailable: 0,
    fail_open: 0,
  };
  private readonly clock: () => number;
  /** Built once: identify() runs for every request. */
  private readonly callerOptions: { keys?: Map<string, KeyInfo>; accountHeader?: string } = {};
  private unsubscribe: (() => void) | null = null;

  private constructor(private readonly opts: EnforcerOptions) {
    const { state, feed, keys, accounts, sinks, clock, onDecision, feedback, ...settings } = opts;
    const parsed = Settings.safeParse(settings);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      const field = i?.path.join('.') ?? '';
      throw new EnforceError(
        'bad_config',
        `option ${field || '(options)'}: ${i?.message ?? 'invalid'}`,
        undefined,
        field,
      );
    }
    this.settings = parsed.data;
    this.state = state ?? memoryState();
    this.clock = clock ?? Date.now;
    const actions: ActionMap = { ...DEFAULT_ACTIONS, ...this.settings.actions };
    this.policy = new Policy(
      this.book,
      new EvasionIndex(this.book, new Set(this.settings.evasionVerdicts)),
      actions,
      feedback,
    );
    this.capture = new CaptureQueue(sinks ?? [], this.settings.text);
    if (keys !== undefined) this.callerOptions.keys = keys;
    if (this.settings.accountHeader !== undefined)
      this.callerOptions.accountHeader = this.settings.accountHeader;
  }

  /** Validates the options, loads the verdicts and subscribes to shared updates. */
  static async create(opts: EnforcerOptions = {}): Promise<Enforcer> {
    const e = new Enforcer(opts);
    e.unsubscribe = e.state.subscribe((u) => e.applyPushed(u));
    await e.opts.feed?.start({
      replace: (verdicts, campaigns) => {
        e.book.replace(verdicts, campaigns);
        for (const u of e.overlay.values()) e.book.apply(u);
      },
    });
    try {
      for (const u of await e.state.snapshot()) e.applyPushed(u);
    } catch {
      // state store unreachable at start: its updates arrive when it is back
    }
    return e;
  }

  private applyPushed(u: VerdictUpdate): void {
    this.overlay.set(u.kind === 'campaign' ? `c:${u.record.campaign_id}` : `a:${u.record.account_id}`, u);
    this.book.apply(u);
  }

  /** Applies a verdict, campaign or alert here and on every replica sharing the state store. */
  async update(u: VerdictUpdate): Promise<void> {
    this.applyPushed(u);
    await this.state.publish(u);
  }

  /** Null when enforcement can run; else what is unreachable. */
  unavailable(): string | null {
    if (this.opts.feed !== undefined && this.opts.feed !== null && !this.opts.feed.healthy())
      return FEED_WHAT;
    if (!this.state.healthy()) return STATE_WHAT;
    return null;
  }

  identify(get: HeaderGetter): Caller {
    return resolveCaller(get, this.callerOptions);
  }

  private artifacts(caller: Caller, input: AdmitInput): Artifacts {
    const a: Artifacts = { ip: input.ip };
    const tlsHeader = this.settings.tlsFingerprintHeader;
    const tls = tlsHeader !== undefined ? input.get(tlsHeader) : undefined;
    if (tls !== undefined) a.tls_fingerprint = tls;
    const ua = input.get('user-agent');
    if (ua !== undefined) a.user_agent = ua;
    const info = this.opts.accounts?.get(caller.account);
    if (info?.payment_fingerprint !== undefined) a.payment_fingerprint = info.payment_fingerprint;
    if (info?.email_domain !== undefined) a.email_domain = info.email_domain;
    if (input.body !== null && input.endpoint !== null) {
      try {
        const f = requestFacts(input.endpoint, JSON.parse(input.body.toString('utf8')));
        if (f.prompt !== undefined) a.prompt = f.prompt;
        if (f.system_prompt !== undefined) a.system_prompt = f.system_prompt;
      } catch {
        // not JSON: no text artifacts
      }
    }
    return a;
  }

  /**
   * What to do with a request: forward (maybe degraded) or reject with an error in the caller's
   * API shape. Synchronous unless a token bucket must be consulted.
   */
  admit(input: AdmitInput): Admission | Promise<Admission> {
    this.counts.requests++;
    const caller = this.identify(input.get);
    const down = this.unavailable();
    if (down !== null && this.settings.failMode === 'closed' && input.endpoint !== null) {
      this.counts.unavailable++;
      return { kind: 'reject', caller, decision: null, error: { kind: 'unavailable', what: down } };
    }
    const decision = this.policy.decide({
      account: caller.account,
      trusted: this.opts.accounts?.get(caller.account)?.trusted ?? false,
      artifacts: () => this.artifacts(caller, input),
    });
    // Paths other than the three model endpoints (model lists, token counts) are only blocked.
    if (input.endpoint === null && decision.action !== 'block')
      return this.done(input, { kind: 'forward', caller, decision, degrade: false });
    switch (decision.action) {
      case 'allow':
        return this.done(input, { kind: 'forward', caller, decision, degrade: false });
      case 'degrade':
        return this.done(input, { kind: 'forward', caller, decision, degrade: true });
      case 'block':
        return this.done(input, { kind: 'reject', caller, decision, error: { kind: 'blocked' } });
      case 'step_up':
        return this.done(input, {
          kind: 'reject',
          caller,
          decision,
          error: { kind: 'step_up', verificationUrl: this.settings.stepUpUrl ?? null },
        });
      case 'throttle':
        return this.throttle(input, caller, decision);
      default:
        return assertNever(decision);
    }
  }

  private async throttle(
    input: AdmitInput,
    caller: Caller,
    decision: Extract<Decision, { action: 'throttle' }>,
  ): Promise<Admission> {
    try {
      const r = await this.state.take(decision.bucket, this.settings.throttle, this.clock());
      if (r.ok) return this.done(input, { kind: 'forward', caller, decision, degrade: false });
      return this.done(input, {
        kind: 'reject',
        caller,
        decision,
        error: { kind: 'throttled', retryAfterS: Math.max(1, Math.ceil(r.retryAfterMs / 1000)) },
      });
    } catch {
      if (this.settings.failMode === 'closed') {
        this.counts.unavailable++;
        return { kind: 'reject', caller, decision, error: { kind: 'unavailable', what: STATE_WHAT } };
      }
      this.counts.fail_open++;
      return this.done(input, { kind: 'forward', caller, decision, degrade: false });
    }
  }

  private done(input: AdmitInput, a: Admission): Admission {
    if (a.kind === 'forward') {
      this.counts.forwarded++;
      if (a.degrade) this.counts.degraded++;
    } else if (a.error.kind === 'throttled') this.counts.throttled++;
    else if (a.error.kind === 'step_up') this.counts.step_up++;
    else if (a.error.kind === 'blocked') this.counts.blocked++;
    if (a.decision !== null && a.decision.reason !== null)
      this.opts.onDecision?.({
        account: a.caller.account,
        endpoint: input.endpoint,
        decision: a.decision,
        outcome: a.kind,
      });
    return a;
  }

  /** Hands a finished exchange to capture (never waits). */
  record(p: PendingExchange): void {
    this.capture.push(p);
  }

  now(): number {
    return this.clock();
  }

  tlsFingerprint(get: HeaderGetter): string | undefined {
    const h = this.settings.tlsFingerprintHeader;
    return h !== undefined ? get(h) : undefined;
  }

  stats(): EnforcerStats & { capture: ReturnType<CaptureQueue['stats']>; book: VerdictBook['size'] } {
    return {
      ...this.counts,
      evaders: this.policy.evaderCount,
      capture: this.capture.stats(),
      book: this.book.size,
    };
  }

  /** Flushes capture and releases the ports it was given. */
  async close(): Promise<void> {
    this.unsubscribe?.();
    await this.capture.close();
    await this.opts.feed?.close();
    await this.state.close();
  }
}
