/**
 * The simulator's engine: actors (one per account, worker, app or campaign controller) each know
 * the time of their next request; a binary heap keyed on that time merges them, so exchanges
 * come out in time order while only one pending event per actor is held in memory. Lines are
 * built by hand from precomputed parts (no per-exchange JSON.stringify of an object).
 */
import type { Capability } from '../src/formats/index.js';
import type { Client } from './infra.js';
import type { Rng } from './rng.js';
import { scramble32 } from './rng.js';
import type { Text } from './text.js';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export interface Period {
  start: number;
  end: number;
}

export type Label = 'legit' | 'attack';
export type Pathway = 'self_serve' | 'education' | 'startup' | 'research' | 'enterprise' | 'reseller';

export interface SimAccount {
  id: string;
  archetype: string;
  label: Label;
  campaign: string | null;
  createdAt: number;
  pathway: Pathway;
  country: string;
  emailDomain: string;
  payment: string;
  verified: boolean;
  orgName?: string;
  trust?: 'known_customer' | 'partner' | 'none';
  keys: string[];
  exchanges: number;
}

// ---- models and releases ------------------------------------------------------------------------

export type Tier = 'pro' | 'flash';

/** Model names are neutral stand-ins (assumption): one provider, two tiers, one generation
 * already out before the period and one released inside it. */
export const MODELS = {
  old: { pro: 'orca-2-pro', flash: 'orca-2-flash' },
  new: { pro: 'orca-2.5-pro', flash: 'orca-2.5-flash' },
} as const;

export interface Releases {
  list: { model: string; releasedAt: number }[];
  /** When each tier's new generation is released. */
  newAt: Record<Tier, number>;
}

/** Releases: the flash model at 20% of the period and the flagship at 55%, both at 17:00 UTC
 * (morning in California, where launches are usually announced). */
export function makeReleases(period: Period): Releases {
  const at = (f: number) => {
    const t = period.start + f * (period.end - period.start);
    return Math.floor(t / DAY) * DAY + 17 * HOUR;
  };
  const flash = at(0.2);
  const pro = at(0.55);
  return {
    list: [
      { model: MODELS.old.pro, releasedAt: Date.UTC(2025, 8, 30, 17) },
      { model: MODELS.old.flash, releasedAt: Date.UTC(2025, 9, 21, 17) },
      { model: MODELS.new.flash, releasedAt: flash },
      { model: MODELS.new.pro, releasedAt: pro },
    ],
    newAt: { pro, flash },
  };
}

/** How an actor moves to a new model: after `delay`, the new model's share rises towards
 * `share` with time constant `tau` (tau ≈ 0 is an abrupt pivot). */
export interface Adoption {
  tier: Tier;
  delay: number;
  tau: number;
  share: number;
}

export function modelAt(rng: Rng, t: number, a: Adoption, rel: Releases): string {
  const start = rel.newAt[a.tier] + a.delay;
  if (t < start) return MODELS.old[a.tier];
  const p = a.tau <= 0 ? a.share : a.share * (1 - Math.exp(-(t - start) / a.tau));
  return rng.next() < p ? MODELS.new[a.tier] : MODELS.old[a.tier];
}

// ---- rhythms ------------------------------------------------------------------------------------

function norm(w: number[]): Float64Array {
  const m = w.reduce((s, x) => s + x, 0) / w.length;
  return Float64Array.from(w, (x) => x / m);
}

/** Hourly activity by local hour (0–23), normalized to mean 1. Shapes follow the usual published
 * diurnal curves of office work, consumer apps (evening peak) and students (late); assumption. */
export const PROFILES = {
  office: norm([
    0.12, 0.08, 0.06, 0.06, 0.08, 0.15, 0.3, 0.6, 1.2, 1.8, 2.0, 2.0, 1.6, 1.9, 2.0, 1.9, 1.7, 1.3, 0.9, 0.7,
    0.6, 0.5, 0.35, 0.2,
  ]),
  developer: norm([
    0.3, 0.2, 0.12, 0.08, 0.08, 0.1, 0.2, 0.45, 0.9, 1.4, 1.6, 1.6, 1.3, 1.5, 1.6, 1.5, 1.4, 1.2, 1.0, 1.0,
    1.1, 1.1, 0.9, 0.6,
  ]),
  consumer: norm([
    0.6, 0.35, 0.2, 0.12, 0.1, 0.15, 0.3, 0.6, 0.8, 0.9, 1.0, 1.1, 1.2, 1.1, 1.0, 1.0, 1.1, 1.2, 1.4, 1.6,
    1.8, 1.8, 1.5, 1.0,
  ]),
  student: norm([
    1.1, 0.8, 0.5, 0.25, 0.12, 0.08, 0.1, 0.2, 0.5, 0.9, 1.2, 1.3, 1.3, 1.4, 1.5, 1.5, 1.4, 1.3, 1.2, 1.3,
    1.5, 1.6, 1.5, 1.3,
  ]),
  flat: norm(new Array<number>(24).fill(1)),
  /** Automated pipelines restarted by people during their working day. */
  automated: norm([
    0.8, 0.75, 0.7, 0.7, 0.7, 0.75, 0.8, 0.9, 1.1, 1.25, 1.3, 1.3, 1.25, 1.3, 1.3, 1.3, 1.25, 1.2, 1.1, 1.0,
    0.95, 0.9, 0.85, 0.8,
  ]),
} as const;
export type ProfileName = keyof typeof PROFILES;

export interface Window {
  start: number;
  end: number;
  mult: number;
}

export interface Timing {
  /** Expected requests per weekday at mean rhythm (multiplied by the window's `mult`). */
  perDay: number;
  profile: Float64Array;
  /** The actor's real local UTC offset in hours (attackers' need not match their billing country). */
  utcOffset: number;
  /** Activity on local Saturdays and Sundays relative to weekdays. */
  weekend: number;
  /** Mean requests per session (1: independent requests). */
  sessionMean: number;
  /** Median and log-sigma of the gap between requests inside a session. */
  gapMedianMs: number;
  gapSigma: number;
  windows: Window[];
  /** Regular, load-balanced pacing instead of Poisson sessions: requests every perDay-derived
   * interval with ± `jitter` relative noise (coordinated campaigns). */
  regularJitter?: number;
}

// ---- the per-exchange output slot ---------------------------------------------------------------

/** What an actor decides for one exchange; the engine derives tokens, status and latency. */
export class Out {
  account!: SimAccount;
  key = '';
  ip = '';
  client!: Client;
  endpoint = '';
  model = '';
  endUser: string | undefined;
  forwardedFor: string | undefined;
  harvest: boolean | undefined;
  text!: Text;
  maxTokens = 4096;
  temperature: number | undefined;
  /** Share of requests answered 429 (rate limited). */
  p429 = 0.004;
  /** Multiplier on typical output length. */
  outScale = 1;
}

// ---- actors -------------------------------------------------------------------------------------

export abstract class Actor {
  /** ms of the next request; Infinity when done. */
  next = Number.POSITIVE_INFINITY;
  idx = 0;
  constructor(readonly rng: Rng) {}
  /** Describes the request at `this.next`. */
  abstract fill(o: Out): void;
  /** Moves `next` to the following request. */
  abstract advance(): void;
}

/** An actor whose requests follow a `Timing` (non-homogeneous Poisson session starts by thinning,
 * lognormal gaps inside sessions) and whose content comes from `content`. */
export class ProcessActor extends Actor {
  private win = 0;
  private left = 0;
  private readonly rateMs: number;
  private readonly maxProfile: number;
  private readonly offMs: number;

  constructor(
    rng: Rng,
    readonly timing: Timing,
    private readonly content: (o: Out, a: ProcessActor) => void,
  ) {
    super(rng);
    this.rateMs = timing.perDay / timing.sessionMean / DAY;
    let m = 0;
    for (const x of timing.profile) m = Math.max(m, x);
    this.maxProfile = m * Math.max(1, timing.weekend);
    this.offMs = timing.utcOffset * HOUR;
    const w0 = timing.windows[0];
    if (w0 && this.rateMs > 0) {
      this.next = w0.start;
      this.startSession(w0.start);
    }
  }

  /** Index of the window the current request falls in. */
  get windowIndex(): number {
    return this.win;
  }

  /** Sessions since start (for actors that change task per session). */
  sessionStep = 0;

  fill(o: Out): void {
    this.content(o, this);
  }

  private factor(t: number): number {
    const local = t + this.offMs;
    const hour = Math.floor(local / HOUR) % 24;
    const dow = (Math.floor(local / DAY) + 4) % 7; // 1970-01-01 was a Thursday
    const w = dow === 0 || dow === 6 ? this.timing.weekend : 1;
    return (this.timing.profile[hour < 0 ? hour + 24 : hour] as number) * w;
  }

  private startSession(from: number): void {
    const ws = this.timing.windows;
    let t = from;
    for (;;) {
      const w = ws[this.win];
      if (!w) {
        this.next = Number.POSITIVE_INFINITY;
        return;
      }
      if (t < w.start) t = w.start;
      if (this.timing.regularJitter !== undefined) {
        const mean = 1 / (this.rateMs * w.mult * this.factor(t));
        t += mean * (1 + this.timing.regularJitter * (2 * this.rng.next() - 1));
      } else {
        const rmax = this.rateMs * this.maxProfile * w.mult;
        t += this.rng.exp(1 / rmax);
        if (t < w.end && this.rng.next() * this.maxProfile > this.factor(t)) continue;
      }
      if (t >= w.end) {
        // Poisson arrivals are memoryless: restarting the clock at the window's end is exact.
        t = w.end;
        this.win++;
        continue;
      }
      this.next = Math.floor(t);
      this.left = this.timing.sessionMean > 1 ? this.rng.geometric(this.timing.sessionMean) - 1 : 0;
      this.sessionStep = 0;
      return;
    }
  }

  advance(): void {
    const now = this.next;
    if (this.left > 0) {
      this.left--;
      const t = now + Math.max(1, this.rng.lognormal(this.timing.gapMedianMs, this.timing.gapSigma));
      const w = this.timing.windows[this.win];
      if (w && t < w.end) {
        this.next = Math.floor(t);
        this.sessionStep++;
        return;
      }
    }
    this.startSession(now);
  }
}

// ---- tokens, status, latency --------------------------------------------------------------------

/** Typical output tokens by capability (median, log-sigma); assumption from common API usage
 * reports: short tool calls, long code and reasoning. */
const OUT_TOKENS: Record<Capability, number> = {
  reasoning: 900,
  coding: 650,
  tool_use: 140,
  data_analysis: 700,
  math: 320,
  vision: 350,
  grading: 260,
  policy_rewrite: 480,
  creative: 650,
  general_chat: 280,
  other: 60,
};
/** Thinking tokens when reasoning is requested (median). */
const THINKING_TOKENS = 1400;
/** Tokens per tool definition sent (BFCL schemas average ~150–200 tokens each). */
const TOKENS_PER_TOOL = 170;
/** Extra tokens per earlier message in the conversation (assumption). */
const TOKENS_PER_TURN = 320;

export interface ExchangeStats {
  inputTokens: number;
  outputTokens: number;
  status: number;
  latencyMs: number;
}

const ERR_5XX = [500, 502, 503, 529];
/** Share of 5xx answers (assumption: public status pages show ~0.1–1% server errors). */
const P_5XX = 0.003;
/** Share of 400 answers (malformed requests). */
const P_400 = 0.0015;

export function stats(rng: Rng, o: Out, stat: ExchangeStats): void {
  const tx = o.text;
  const turns = tx.turns ?? 1;
  stat.inputTokens =
    Math.ceil(tx.prompt.length / 4) +
    (tx.system ? Math.ceil(tx.system.length / 4) : 0) +
    (turns - 1) * TOKENS_PER_TURN +
    (tx.toolCount ?? 0) * TOKENS_PER_TOOL +
    (tx.extraInput ?? 0) +
    8;
  const r = rng.next();
  if (r < o.p429) {
    stat.status = 429;
    stat.outputTokens = 0;
    stat.latencyMs = Math.round(rng.uniform(8, 90));
    return;
  }
  if (r < o.p429 + P_5XX) {
    stat.status = rng.pick(ERR_5XX);
    stat.outputTokens = 0;
    stat.latencyMs = Math.round(rng.lognormal(2500, 1.2));
    return;
  }
  if (r < o.p429 + P_5XX + P_400) {
    stat.status = 400;
    stat.outputTokens = 0;
    stat.latencyMs = Math.round(rng.uniform(20, 120));
    return;
  }
  stat.status = 200;
  let out = rng.lognormal(OUT_TOKENS[tx.cap] * o.outScale, 0.6);
  if (tx.reasoning) out += rng.lognormal(THINKING_TOKENS, 0.7);
  stat.outputTokens = Math.max(1, Math.min(o.maxTokens, Math.round(out)));
  // ms per output token: ~65 tokens/s for a large model, ~125 for a small one (assumption from public
  // throughput dashboards).
  const perToken = o.model.endsWith('flash') ? 8 : 15;
  stat.latencyMs = Math.round(
    rng.lognormal(450, 0.45) + stat.inputTokens * 0.02 + stat.outputTokens * perToken * rng.lognormal(1, 0.2),
  );
}

// ---- the heap -----------------------------------------------------------------------------------

function less(a: Actor, b: Actor): boolean {
  return a.next < b.next || (a.next === b.next && a.idx < b.idx);
}

export class ActorHeap {
  private readonly h: Actor[] = [];
  get size(): number {
    return this.h.length;
  }
  push(a: Actor): void {
    if (a.next === Number.POSITIVE_INFINITY) return;
    const h = this.h;
    h.push(a);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i] as Actor, h[p] as Actor)) break;
      [h[i], h[p]] = [h[p] as Actor, h[i] as Actor];
      i = p;
    }
  }
  peek(): Actor | undefined {
    return this.h[0];
  }
  /** Restores order after the top's `next` grew; drops it when done. */
  fixTop(): void {
    const h = this.h;
    const top = h[0];
    if (!top) return;
    if (top.next === Number.POSITIVE_INFINITY) {
      const last = h.pop() as Actor;
      if (h.length === 0) return;
      h[0] = last;
    }
    const n = h.length;
    let i = 0;
    const x = h[0] as Actor;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && less(h[r] as Actor, h[l] as Actor) ? r : l;
      if (!less(h[c] as Actor, x)) break;
      h[i] = h[c] as Actor;
      i = c;
    }
    h[i] = x;
  }
}

// ---- ids ---------------------------------------------------------------------------------------

/** Four hex digits of every 16-bit value: ids are built from table lookups, not toString(16). */
const HEX4: string[] = Array.from({ length: 65_536 }, (_, i) => i.toString(16).padStart(4, '0'));

/** Unique, opaque request ids: a keyed bijective scramble of a counter (same for every actor). */
export class RequestIds {
  private n = 0;
  constructor(
    private readonly k1: number,
    private readonly k2: number,
  ) {}
  next(): string {
    const lo = this.n >>> 0;
    const hi = Math.floor(this.n / 4294967296);
    this.n++;
    const a = scramble32(lo, this.k1);
    const b = scramble32((hi + a) >>> 0, this.k2);
    return `req_${HEX4[a >>> 16]}${HEX4[a & 0xffff]}${HEX4[b >>> 16]}${HEX4[b & 0xffff]}`;
  }

  /** Writes the next id (the same string `next()` would return) as ASCII at `p`; returns the end. */
  writeNext(buf: Buffer, p: number): number {
    const lo = this.n >>> 0;
    const hi = Math.floor(this.n / 4294967296);
    this.n++;
    const a = scramble32(lo, this.k1);
    const b = scramble32((hi + a) >>> 0, this.k2);
    buf[p] = 114; // r
    buf[p + 1] = 101; // e
    buf[p + 2] = 113; // q
    buf[p + 3] = 95; // _
    hex32(buf, p + 4, a);
    hex32(buf, p + 12, b);
    return p + 20;
  }
}

/** Lower-case hex digits by value. */
const HEX_DIGITS = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** Writes `x` (a u32) as 8 lower-case hex digits at `p`. */
function hex32(buf: Buffer, p: number, x: number): void {
  for (let i = 7; i >= 0; i--) {
    buf[p + i] = HEX_DIGITS[x & 15] as number;
    x >>>= 4;
  }
}
