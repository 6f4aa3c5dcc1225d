/**
 * One account's state in the incremental driver: everything `hunt` computes per account in
 * SQL (store/features.ts `AccountAggregate`), kept as exchanges arrive in time order, in
 * bounded space — counters, sketches (sketch.ts) and a capped set of each artifact kind for
 * linking. `aggregate()` gives the same record the batch driver reads, so both drivers feed
 * the same stages (judge.ts).
 *
 * Exact where the stages look (counts, token sums, shares, hours of day, the log-gap
 * variation, the pivot), approximate where they only report (medians to ±9 %, distinct
 * counts beyond EXACT_DISTINCT to ±9 %). Time order is assumed; an exchange older than the
 * account's last one still counts in every total but not in gaps, clock hours or days.
 */
import type { Exchange } from '../formats/index.js';
import { addHour, emptyHourBits, type HourBits } from '../link/index.js';
import { emptyTextSummary, type TextSummary } from '../signals/index.js';
import {
  type AccountAggregate,
  FAST_GAP_MS,
  PIVOT_MIN_EXCHANGES,
  PIVOT_WINDOW_MS,
  subnetOf,
} from '../store/index.js';
import { DistinctCounter, LogHistogram } from './sketch.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Distinct values of one artifact kind kept per account for linking. An account seen from more
 * addresses than this is linked through the first ones (a proxy pool shows itself long before). */
export const ARTIFACT_VALUES_PER_KIND = 32;
/** Endpoints and models are few; beyond this many distinct names the rest are ignored. */
const SMALL_MAP_MAX = 16;

/** Exchange-side artifact kinds (payment fingerprint and email domain come from the accounts file). */
export const EXCHANGE_ARTIFACT_KINDS = [
  'ip',
  'subnet',
  'tls_fingerprint',
  'user_agent',
  'system_prompt',
  'api_key',
] as const;
export type ExchangeArtifactKind = (typeof EXCHANGE_ARTIFACT_KINDS)[number];

export interface Release {
  model: string;
  released_at: number;
}

interface PivotWindow {
  n: number;
  onModel: number;
  firstOnModel: number;
}

/** A newly seen artifact value: the driver indexes it for linking. */
export type OnArtifact = (kind: ExchangeArtifactKind, value: string) => void;

const share = (hits: number, n: number): number => (n > 0 ? hits / n : Number.NaN);

export class AccountState {
  exchanges = 0;
  firstTs = Number.POSITIVE_INFINITY;
  lastTs = Number.NEGATIVE_INFINITY;
  private lastHour = Number.NEGATIVE_INFINITY;
  private lastDay = Number.NEGATIVE_INFINITY;
  private hourCount = 0;
  private peakHour = 0;
  private activeHours = 0;
  private activeDays = 0;
  private inTok = 0;
  private outTok = 0;
  private turnsN = 0;
  private turnsSum = 0;
  private single = 0;
  private toolN = 0;
  private toolHits = 0;
  private reasonN = 0;
  private reasonHits = 0;
  private statusN = 0;
  private errors = 0;
  private endUserRows = 0;
  private readonly hours = new Array<number>(24).fill(0);
  private readonly hourBits: HourBits = emptyHourBits();
  // Gaps: Welford over ln(1 + gap) gives the log-gap variation exactly; the median from bins.
  private gapN = 0;
  private gapMean = 0;
  private gapM2 = 0;
  private gapFast = 0;
  private readonly gaps = new LogHistogram();
  private readonly maxTokens = new LogHistogram();
  private readonly endpoints = new Map<string, number>();
  private readonly pivots = new Map<number, PivotWindow>();
  private readonly distinct = {
    ips: new DistinctCounter(),
    subnets: new DistinctCounter(),
    uas: new DistinctCounter(),
    tls: new DistinctCounter(),
    keys: new DistinctCounter(),
    endUsers: new DistinctCounter(),
    models: new DistinctCounter(),
    systemPrompts: new DistinctCounter(),
  };
  /** Artifact values kept for linking, per kind (at most ARTIFACT_VALUES_PER_KIND each). */
  readonly artifacts = new Map<ExchangeArtifactKind, Set<string>>();
  private lastSystemPrompt: string | null = null;
  private lastIp: string | null = null;
  private lastUa: string | null = null;
  private lastTls: string | null = null;
  private lastSystemKey = '';
  /** The text stage's summary over this account's sampled exchanges. */
  readonly text: TextSummary = emptyTextSummary();

  constructor(readonly accountId: string) {}

  /**
   * Adds one exchange. `systemKey` turns a system prompt into its artifact value (a digest);
   * it is called only when the prompt differs from the account's previous one.
   */
  add(
    e: Exchange,
    releases: readonly Release[],
    systemKey: (systemPrompt: string) => string,
    onArtifact: OnArtifact,
  ): void {
    const ts = e.ts;
    this.exchanges++;
    if (ts < this.firstTs) this.firstTs = ts;
    const inOrder = ts >= this.lastTs;
    if (inOrder) {
      if (Number.isFinite(this.lastTs)) {
        const gap = ts - this.lastTs;
        const x = Math.log(1 + gap);
        this.gapN++;
        const d = x - this.gapMean;
        this.gapMean += d / this.gapN;
        this.gapM2 += d * (x - this.gapMean);
        if (gap < FAST_GAP_MS) this.gapFast++;
        this.gaps.add(gap);
      }
      this.lastTs = ts;
      const hour = Math.floor(ts / HOUR_MS);
      if (hour > this.lastHour) {
        this.lastHour = hour;
        this.activeHours++;
        this.hourCount = 0;
      }
      this.hourCount++;
      if (this.hourCount > this.peakHour) this.peakHour = this.hourCount;
      const day = Math.floor(ts / DAY_MS);
      if (day > this.lastDay) {
        this.lastDay = day;
        this.activeDays++;
      }
    }
    addHour(this.hourBits, Math.floor(ts / HOUR_MS));
    const hod = ((Math.floor(ts / HOUR_MS) % 24) + 24) % 24;
    this.hours[hod] = (this.hours[hod] as number) + 1;
    this.inTok += e.input_tokens ?? 0;
    this.outTok += e.output_tokens ?? 0;
    if (e.turns !== undefined) {
      this.turnsN++;
      this.turnsSum += e.turns;
      if (e.turns === 1) this.single++;
    }
    if (e.tool_count !== undefined) {
      this.toolN++;
      if (e.tool_count > 0) this.toolHits++;
    }
    if (e.reasoning !== undefined) {
      this.reasonN++;
      if (e.reasoning) this.reasonHits++;
    }
    if (e.status !== undefined) {
      this.statusN++;
      if (e.status >= 400) this.errors++;
    }
    if (e.max_tokens !== undefined) this.maxTokens.add(e.max_tokens);
    if (e.endpoint !== undefined) bump(this.endpoints, e.endpoint);

    const d = this.distinct;
    // Most exchanges repeat the account's previous address and client: skip the set lookups.
    if (e.ip !== this.lastIp) {
      this.lastIp = e.ip;
      d.ips.add(e.ip);
      this.keep('ip', e.ip, onArtifact);
      const subnet = subnetOf(e.ip);
      d.subnets.add(subnet);
      this.keep('subnet', subnet, onArtifact);
    }
    if (e.user_agent !== undefined && e.user_agent !== this.lastUa) {
      this.lastUa = e.user_agent;
      d.uas.add(e.user_agent);
      this.keep('user_agent', e.user_agent, onArtifact);
    }
    if (e.tls_fingerprint !== undefined && e.tls_fingerprint !== this.lastTls) {
      this.lastTls = e.tls_fingerprint;
      d.tls.add(e.tls_fingerprint);
      this.keep('tls_fingerprint', e.tls_fingerprint, onArtifact);
    }
    if (e.api_key_id !== undefined) {
      d.keys.add(e.api_key_id);
      this.keep('api_key', e.api_key_id, onArtifact);
    }
    if (e.end_user_id !== undefined) {
      this.endUserRows++;
      d.endUsers.add(e.end_user_id);
    }
    if (e.model !== undefined) d.models.add(e.model);
    if (e.system_prompt !== undefined) {
      if (e.system_prompt !== this.lastSystemPrompt) {
        this.lastSystemPrompt = e.system_prompt;
        this.lastSystemKey = systemKey(e.system_prompt);
      }
      d.systemPrompts.add(this.lastSystemKey);
      this.keep('system_prompt', this.lastSystemKey, onArtifact);
    }

    // Pivot windows: the releases whose first 24 h contain this exchange (usually none).
    for (let r = releases.length - 1; r >= 0; r--) {
      const rel = releases[r] as Release;
      if (rel.released_at > ts) continue;
      if (ts >= rel.released_at + PIVOT_WINDOW_MS) break;
      const w = this.pivots.get(r) ?? { n: 0, onModel: 0, firstOnModel: Number.POSITIVE_INFINITY };
      this.pivots.set(r, w);
      w.n++;
      if (e.model === rel.model) {
        w.onModel++;
        if (ts < w.firstOnModel) w.firstOnModel = ts;
      }
    }
  }

  private keep(kind: ExchangeArtifactKind, value: string, onArtifact: OnArtifact): void {
    let s = this.artifacts.get(kind);
    if (s === undefined) {
      s = new Set();
      this.artifacts.set(kind, s);
    }
    if (s.size >= ARTIFACT_VALUES_PER_KIND || s.has(value)) return;
    s.add(value);
    onArtifact(kind, value);
  }

  /** The record the batch driver reads from the store for this account. */
  aggregate(releases: readonly Release[]): AccountAggregate {
    let pivotShare = Number.NaN;
    let pivotLag = Number.NaN;
    let pivotModel = '';
    for (const [r, w] of this.pivots) {
      if (w.n < PIVOT_MIN_EXCHANGES) continue;
      const rel = releases[r] as Release;
      const s = w.onModel / w.n;
      // Ties by model name, as the batch driver breaks them.
      if (!(s <= pivotShare) || (s === pivotShare && rel.model < pivotModel)) {
        pivotShare = s;
        pivotLag = w.onModel > 0 ? (w.firstOnModel - rel.released_at) / HOUR_MS : Number.NaN;
        pivotModel = rel.model;
      }
    }
    let endpoint = '';
    let best = 0;
    for (const [name, c] of this.endpoints)
      if (c > best || (c === best && name < endpoint)) {
        best = c;
        endpoint = name;
      }
    const d = this.distinct;
    const logMean = this.gapMean;
    const logSd = this.gapN > 0 ? Math.sqrt(this.gapM2 / this.gapN) : Number.NaN;
    return {
      account_id: this.accountId,
      exchanges: this.exchanges,
      first_ts: this.firstTs,
      last_ts: this.lastTs,
      active_hours: this.activeHours,
      active_days: this.activeDays,
      peak_hour: this.peakHour,
      input_tokens: this.inTok,
      output_tokens: this.outTok,
      single_turn_share: share(this.single, this.turnsN),
      mean_turns: share(this.turnsSum, this.turnsN),
      tool_share: share(this.toolHits, this.toolN),
      reasoning_share: share(this.reasonHits, this.reasonN),
      error_share: share(this.errors, this.statusN),
      distinct_ips: d.ips.count,
      distinct_subnets: d.subnets.count,
      distinct_user_agents: d.uas.count,
      distinct_tls: d.tls.count,
      distinct_keys: d.keys.count,
      distinct_end_users: d.endUsers.count,
      end_user_share: this.endUserRows / Math.max(1, this.exchanges),
      distinct_models: d.models.count,
      distinct_system_prompts: d.systemPrompts.count,
      max_tokens: this.maxTokens.median(),
      endpoint,
      hours: [...this.hours],
      hour_bits: { endWord: this.hourBits.endWord, words: this.hourBits.words.slice() },
      gap_median_ms: this.gaps.median(),
      gap_log_cv: this.gapN > 0 && logMean !== 0 ? Math.round((logSd / logMean) * 1e9) / 1e9 : Number.NaN,
      gap_fast_share: share(this.gapFast, this.gapN),
      pivot_share: pivotShare,
      pivot_lag_hours: pivotLag,
      pivot_model: pivotModel,
    };
  }

  /** Approximate bytes held (the state-size figure of the benchmark). */
  get bytes(): number {
    let b = 400 + 4 * this.hourBits.words.length + 40; // counters and object headers; the hour bitmap
    for (const c of Object.values(this.distinct)) b += c.bytes;
    b += this.gaps.bytes + this.maxTokens.bytes + 40 * (this.endpoints.size + this.pivots.size);
    for (const s of this.artifacts.values()) for (const v of s) b += 2 * v.length + 16;
    b += 40 * this.text.templates.size + 8 * (this.text.kinds.length + this.text.capabilities.length);
    b += 48 * this.text.fingerprints.size; // 16 hex digits each, for the prompt profile
    return b;
  }
}

function bump(m: Map<string, number>, k: string): void {
  const c = m.get(k);
  if (c !== undefined) m.set(k, c + 1);
  else if (m.size < SMALL_MAP_MAX) m.set(k, 1);
}
