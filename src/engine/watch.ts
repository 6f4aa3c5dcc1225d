/**
 * The incremental driver (`distillguard watch`): exchanges in time order, bounded state per
 * account (account-state.ts), and the same stages as `hunt` (judge.ts):
 *
 *   exchange ─> account state (counters, sketches, capped artifacts) ─> text sample
 *      ├─> quick rescore of that account against the last peer baselines and cluster terms
 *      └─> every RELINK_EVERY_MS of event time: judge() over every account's state
 *              ─> verdicts, campaigns, baselines, cluster terms for the quick path
 *   an alert whenever an account's verdict rises above the highest it had.
 *
 * Nothing of the history is kept or re-read: the state is a pure function of the exchanges
 * pushed so far, their order, and the seed. Replaying a data set ends (after `finish()`) at
 * the verdicts `hunt` gives on the same data, within the tolerance the tests state: the text
 * sample differs (hunt samples the whole period at once, watch as it goes) and sketches
 * replace exact distinct counts beyond 64 values.
 */
import { createHash } from 'node:crypto';
import { explainEvidence } from '../explain/index.js';
import type { FeedbackIndex } from '../feedback/index.js';
import type { Alert, Campaign, Exchange, Verdict, VerdictKind } from '../formats/index.js';
import { toRfc3339 } from '../formats/index.js';
import {
  type Artifact,
  artifactWeight,
  KIND_PAIR_CAP,
  LINK_KINDS,
  type LinkKind,
  SPECIFIC_KINDS,
  STRONG_EDGE,
} from '../link/index.js';
import { evidenceOf, memberShare, ownScore, sigmoid, verdictOf } from '../score/index.js';
import {
  accountSignals,
  addToSummary,
  createTextAnalyzer,
  type SignalBaselines,
  signalBaselines,
  type TextSummary,
} from '../signals/index.js';
import type { AccountAggregate, AccountInfo } from '../store/index.js';
import { AccountState, type ExchangeArtifactKind, type Release } from './account-state.js';
import {
  MAX_ARTIFACT_ACCOUNTS,
  MAX_TEMPLATE_ACCOUNTS,
  TEXT_FIRST_SAMPLE,
  TEXT_SAMPLE_PER_ACCOUNT,
} from './hunt.js';
import { type Judgement, judge, sharedIndicators } from './judge.js';
import { hash32 } from './sketch.js';

/** Event time between two full passes (re-linking, new baselines). Between passes an account's
 * own evidence, and its links to the clusters of the last pass, raise its verdict at once (the
 * quick path); the full pass finds new clusters. On the tuning seed's demo replay the median
 * time to a campaign's first alert was 14.8 min with passes every 15 min and 15.5 with every
 * 60 (bench/results/watch.md); 30 keeps new clusters within the 30-minute target. */
export const RELINK_EVERY_MS = 30 * 60_000;
/** The quick path rescores an account every this many of its exchanges, and on every sampled
 * prompt that elicits reasoning traces. */
export const QUICK_EVERY = 16;
/** Whether the quick path rescores an account at its n-th exchange: on every trace-eliciting
 * prompt, at its 1st, 2nd, 4th, 8th … exchange (a replacement account is linked to its campaign
 * from its first request), every QUICK_EVERY exchanges while it is small and every
 * QUICK_LARGE_EVERY later (a large account's aggregates move slowly). */
export const QUICK_LARGE_EVERY = 256;
/** Artifacts lighter than this are not followed when joining a cluster on the quick path (a
 * strong edge needs STRONG_EDGE = 1.2 from a few kinds, each capped). */
const MIN_JOIN_WEIGHT = 0.05;
function quickDue(n: number, strong: boolean): boolean {
  if (strong || (n & (n - 1)) === 0) return true;
  return n <= QUICK_LARGE_EVERY ? n % QUICK_EVERY === 0 : n % QUICK_LARGE_EVERY === 0;
}

/** Before the first scheduled pass, and while the population is young, a full pass also runs
 * each time the number of accounts seen doubles from this many: the quick path needs peer
 * baselines, and the baselines of 64 accounts are better than none. */
export const EARLY_PASS_ACCOUNTS = 64;

const VERDICT_RANK: Record<VerdictKind, number> = { clear: 0, watch: 1, throttle: 2, block: 3 };

export interface WatchOptions {
  seed?: number;
  /** The accounts file (pathway, country, payment fingerprint, trust …). */
  accounts?: readonly AccountInfo[];
  releases?: readonly Release[];
  relinkEveryMs?: number;
  onAlert?: (alert: Alert) => void;
  /** The analysts' decisions to apply (docs/feedback.md). */
  feedback?: FeedbackIndex;
  /** Called after each full pass (for snapshots and progress). */
  onRelink?: (j: Judgement, ts: number) => void;
}

export interface WatchStats {
  exchanges: number;
  accounts: number;
  relinks: number;
  relinkSeconds: number;
  quickScores: number;
  alerts: number;
  textAnalysed: number;
  outOfOrder: number;
}

export class WatchEngine {
  private readonly states = new Map<string, AccountState>();
  private readonly infos: readonly AccountInfo[];
  private readonly infoById: Map<string, AccountInfo>;
  private readonly releases: Release[];
  private readonly seed: number;
  private readonly relinkEveryMs: number;
  private readonly opts: WatchOptions;
  /** artifact key (kind NUL value) → holders; `null` once too common to link. */
  private readonly holders = new Map<string, string[] | null>();
  /** The artifacts of the keys with at least two holders, as a relink hands them to judge: each
   * record made once, its `accounts` the live holders list (no copy or sort per pass). */
  private readonly sharedArtifacts = new Map<string, Artifact>();
  private readonly staticArtifacts: Artifact[];
  private readonly paymentHolders = new Map<string, readonly string[]>();
  private readonly templates = new Map<string, Set<string> | null>();
  /** Templates with at least two accounts, as artifacts (kept like sharedArtifacts). */
  private readonly sharedTemplates = new Map<string, Artifact & { accounts: string[] }>();
  /** Accounts with exchanges since the last full pass, and every account's last aggregate. */
  private readonly dirty = new Set<string>();
  private readonly aggregates = new Map<string, AccountAggregate>();
  private readonly interesting = new Set<string>();
  private readonly analysed = new Map<string, number>();
  private readonly cheap = createTextAnalyzer(50_000, false);
  private readonly full = createTextAnalyzer(50_000, true);
  private readonly alerted = new Map<string, VerdictKind>();
  private baselines: SignalBaselines | null = null;
  private received = new Map<
    string,
    { term: number; detail: string; size: number; campaign: string | null }
  >();
  /** Templates that name a campaign of the last pass (held by 2+ of its flagged members, and
   * mostly by them): template → the campaign's cluster term, for the quick path. */
  private campaignTemplates = new Map<
    string,
    { term: number; detail: string; size: number; campaign: string }
  >();
  private last: Judgement | null = null;
  private nextRelink = Number.NaN;
  private nextEarlyPass = EARLY_PASS_ACCOUNTS;
  private lastTs = Number.NEGATIVE_INFINITY;
  private sawText = false;
  private sawFingerprint = false;
  readonly stats: WatchStats = {
    exchanges: 0,
    accounts: 0,
    relinks: 0,
    relinkSeconds: 0,
    quickScores: 0,
    alerts: 0,
    textAnalysed: 0,
    outOfOrder: 0,
  };

  constructor(opts: WatchOptions = {}) {
    this.opts = opts;
    this.seed = opts.seed ?? 1;
    this.relinkEveryMs = opts.relinkEveryMs ?? RELINK_EVERY_MS;
    if (!(this.relinkEveryMs > 0))
      throw new RangeError(`relinkEveryMs must be > 0, got ${this.relinkEveryMs}`);
    const fb = opts.feedback;
    this.infos = [...(opts.accounts ?? [])]
      .map((i) => {
        const t = fb?.trustOf(i.account_id) ?? null;
        return t === null ? i : { ...i, trust: t };
      })
      .sort((a, b) => (a.account_id < b.account_id ? -1 : 1));
    this.infoById = new Map(this.infos.map((i) => [i.account_id, i]));
    this.releases = [...(opts.releases ?? [])].sort((a, b) => a.released_at - b.released_at);
    this.staticArtifacts = accountArtifacts(this.infos);
    for (const a of this.staticArtifacts)
      if (a.kind === 'payment_fingerprint') this.paymentHolders.set(a.value, a.accounts);
  }

  /** Adds one exchange (validated, `ts` in epoch ms), raising alerts as verdicts rise. */
  push(e: Exchange): void {
    const ts = e.ts;
    if (ts < this.lastTs) this.stats.outOfOrder++;
    else this.lastTs = ts;
    if (Number.isNaN(this.nextRelink)) this.nextRelink = ts + this.relinkEveryMs;
    else if (ts >= this.nextRelink) {
      this.relink(ts);
      while (this.nextRelink <= ts) this.nextRelink += this.relinkEveryMs;
    }
    this.stats.exchanges++;
    let st = this.states.get(e.account_id);
    if (st === undefined) {
      st = new AccountState(e.account_id);
      this.states.set(e.account_id, st);
      this.stats.accounts++;
    }
    const seenBefore = st.exchanges;
    this.dirty.add(e.account_id);
    st.add(e, this.releases, systemKey, (kind, value) => this.index(kind, value, e.account_id));
    const strong = this.sampleText(st, e, seenBefore);
    if (this.stats.accounts >= this.nextEarlyPass) {
      this.nextEarlyPass *= 2;
      this.relink(ts);
    } else if (
      this.baselines !== null &&
      this.alerted.get(e.account_id) !== 'block' &&
      quickDue(st.exchanges, strong)
    )
      this.quick(st, ts);
  }

  /** The final full pass: verdicts and campaigns over everything pushed. */
  finish(): Judgement {
    this.relink(this.lastTs);
    return this.last as Judgement;
  }

  /** The last full pass (null before the first). */
  get judgement(): Judgement | null {
    return this.last;
  }

  get textMode(): 'raw' | 'fingerprint' | 'none' {
    return this.sawText ? 'raw' : this.sawFingerprint ? 'fingerprint' : 'none';
  }

  /** Approximate bytes of per-account state (not counting the shared artifact index). */
  stateBytes(): number {
    let b = 0;
    for (const s of this.states.values()) b += s.bytes;
    return b;
  }

  private index(kind: ExchangeArtifactKind, value: string, account: string): void {
    const key = `${kind}\u0000${value}`;
    const h = this.holders.get(key);
    if (h === null) return;
    if (h === undefined) {
      this.holders.set(key, [account]);
      return;
    }
    // Each account indexes a value once (AccountState.keep), so holders hold no repeats.
    h.push(account);
    if (h.length > MAX_ARTIFACT_ACCOUNTS) {
      this.holders.set(key, null);
      this.sharedArtifacts.delete(key);
    } else if (h.length === 2) this.sharedArtifacts.set(key, { kind: kind as LinkKind, value, accounts: h });
  }

  /**
   * The text stage as it goes, mirroring hunt's two passes: the first TEXT_FIRST_SAMPLE
   * exchanges of every account with the cheap detectors; once an account's prompts elicit
   * reasoning at all, its summary restarts with the capability model for the next
   * TEXT_SAMPLE_PER_ACCOUNT. After that (or after the first pass of a quiet account) about as
   * many again per doubling of its volume, chosen by a hash of the request id, so that an aged
   * account that turns to harvesting later is still read. Returns whether the exchange was a
   * strong elicitation.
   */
  private sampleText(st: AccountState, e: Exchange, before: number): boolean {
    const hasText = e.prompt !== undefined;
    if (hasText) this.sawText = true;
    else if (e.prompt_fingerprint !== undefined) this.sawFingerprint = true;
    const id = st.accountId;
    const isInteresting = this.interesting.has(id);
    const done = this.analysed.get(id) ?? 0;
    // With fingerprints only nothing elicits, so there is no second pass: the first reads the
    // whole sample, for the prompt profiles (as hunt does).
    const fingerprintsOnly = !this.sawText && this.sawFingerprint;
    const budget = isInteresting || fingerprintsOnly ? TEXT_SAMPLE_PER_ACCOUNT : TEXT_FIRST_SAMPLE;
    let take = done < budget;
    if (!take) {
      const key = e.request_id ?? `${id}\u0000${before}`;
      take = hash32(key) / 4294967296 < budget / (before + 1);
    }
    if (!take) return false;
    this.analysed.set(id, done + 1);
    this.stats.textAnalysed++;
    if (!hasText) {
      addToSummary(st.text, null, e.prompt_fingerprint !== undefined, e.prompt_fingerprint ?? null);
      return false;
    }
    const analyse = isInteresting ? this.full : this.cheap;
    let t = analyse(e.prompt as string, e.system_prompt ?? null, e.tool_count ?? 0);
    if (!isInteresting && t.mask !== 0) {
      // The second pass starts: the summary restarts with the capability model.
      this.interesting.add(id);
      this.analysed.set(id, 1);
      resetSummary(st.text);
      t = this.full(e.prompt as string, e.system_prompt ?? null, e.tool_count ?? 0);
    }
    addToSummary(st.text, t, e.prompt_fingerprint !== undefined, e.prompt_fingerprint ?? null);
    for (const k of t.templates) {
      const s = this.templates.get(k);
      if (s === null) continue;
      if (s === undefined) this.templates.set(k, new Set([id]));
      else if (!s.has(id)) {
        s.add(id);
        if (s.size > MAX_TEMPLATE_ACCOUNTS) {
          this.templates.set(k, null);
          this.sharedTemplates.delete(k);
        } else if (s.size === 2)
          this.sharedTemplates.set(k, { kind: 'prompt_template', value: k, accounts: [...s] });
        else this.sharedTemplates.get(k)?.accounts.push(id);
      }
    }
    return t.strong;
  }

  private quick(st: AccountState, ts: number): void {
    this.stats.quickScores++;
    const agg = st.aggregate(this.releases);
    const texts = new Map<string, TextSummary>();
    if (this.textMode !== 'none') texts.set(st.accountId, st.text);
    const [p] = accountSignals(
      { aggregates: [agg], infos: this.infoById, texts },
      this.baselines as SignalBaselines,
    );
    if (p === undefined) return;
    const fb = this.opts.feedback;
    const own = ownScore(p, fb?.statusOf({ kind: 'account', id: st.accountId })?.status ?? null);
    const r = this.received.get(st.accountId) ?? this.joinedCluster(st, own.contentLogit);
    const score = sigmoid(own.logit + (r?.term ?? 0));
    const verdict = verdictOf(score);
    if (VERDICT_RANK[verdict] <= VERDICT_RANK[this.alerted.get(st.accountId) ?? 'clear']) return;
    const evidence = evidenceOf(
      own,
      r === undefined || r.term <= 0 ? null : { term: r.term, size: r.size, detail: r.detail },
      explainEvidence,
    );
    this.alert({
      ts: toRfc3339(ts),
      account_id: st.accountId as Alert['account_id'],
      verdict,
      score: Math.round(score * 1e6) / 1e6,
      campaign_id: (r?.campaign ?? null) as Alert['campaign_id'],
      evidence,
    });
  }

  /**
   * An account the last full pass did not link (new since, or new artifacts since) that shares
   * operator-specific artifacts — payment instrument, API key, address, system prompt — or
   * templates with members of a harvesting cluster receives that cluster's term at once, with
   * the member share of the full pass (memberShare). This is how a replacement for a banned
   * account is caught on its first requests rather than at the next pass.
   */
  private joinedCluster(
    st: AccountState,
    contentLogit: number,
  ): { term: number; detail: string; size: number; campaign: string | null } | undefined {
    if (this.received.size === 0) return undefined;
    const population = this.stats.accounts;
    // Pair weights to the cluster members it shares anything with, per kind (capped as in the
    // link graph); operator-specific weight per distinct artifact shared with a member.
    const pairs = new Map<string, Float64Array>();
    let specific = 0;
    const consider = (kind: LinkKind, holders: Iterable<string>, degree: number) => {
      const w = artifactWeight(kind, degree, population);
      // An artifact shared by a large part of the population cannot make a strong edge.
      if (w < MIN_JOIN_WEIGHT) return;
      const ki = LINK_KINDS.indexOf(kind);
      let linked = false;
      for (const h of holders) {
        if (h === st.accountId || !this.received.has(h)) continue;
        linked = true;
        let p = pairs.get(h);
        if (p === undefined) {
          p = new Float64Array(LINK_KINDS.length);
          pairs.set(h, p);
        }
        p[ki] = (p[ki] as number) + w;
      }
      if (linked && SPECIFIC_KINDS.has(kind)) specific += w;
    };
    for (const [kind, values] of st.artifacts)
      for (const v of values) {
        const h = this.holders.get(`${kind}\u0000${v}`);
        if (h !== null && h !== undefined && h.length >= 2) consider(kind, h, h.length);
      }
    for (const k of st.text.templates.keys()) {
      const h = this.templates.get(k);
      if (h !== null && h !== undefined && h.size >= 2) consider('prompt_template', h, h.size);
    }
    const info = this.infoById.get(st.accountId);
    if (info !== undefined && info.payment_fingerprint !== null) {
      const h = this.paymentHolders.get(info.payment_fingerprint);
      if (h !== undefined) consider('payment_fingerprint', h, h.length);
    }
    // Joined: a strong edge (as the clustering requires) to a member; the strongest cluster wins.
    let best: { term: number; detail: string; size: number; campaign: string | null } | undefined;
    for (const [h, p] of pairs) {
      let w = 0;
      LINK_KINDS.forEach((kind, i) => {
        w += Math.min(p[i] as number, KIND_PAIR_CAP[kind]);
      });
      const r = this.received.get(h);
      if (w >= STRONG_EDGE && r !== undefined && (best === undefined || r.term > best.term)) best = r;
    }
    if (best === undefined) return this.campaignTemplate(st, contentLogit);
    const term = best.term * memberShare(contentLogit, specific);
    return term > 0 ? { ...best, term } : undefined;
  }

  /**
   * An account with no strong edge yet whose sampled prompts follow a template that names a
   * campaign (campaignTemplates) and whose own prompts are harvesting content takes the
   * campaign's term with the member share its content earns. A full pass links such an account
   * once it has sent a few of the campaign's templates (a strong edge needs ~2–3 rare ones); a
   * campaign that changes its infrastructure for every account (low and slow) would otherwise
   * be served that long by each new account. Content is required: a template alone is what
   * people who copy the same prompt share.
   */
  private campaignTemplate(
    st: AccountState,
    contentLogit: number,
  ): { term: number; detail: string; size: number; campaign: string | null } | undefined {
    if (this.campaignTemplates.size === 0) return undefined;
    const share = memberShare(contentLogit, 0);
    if (share <= 0) return undefined;
    let best: { term: number; detail: string; size: number; campaign: string } | undefined;
    for (const k of st.text.templates.keys()) {
      const c = this.campaignTemplates.get(k);
      if (c !== undefined && (best === undefined || c.term > best.term)) best = c;
    }
    return best === undefined ? undefined : { ...best, term: best.term * share };
  }

  private alert(a: Alert): void {
    this.alerted.set(a.account_id, a.verdict);
    this.stats.alerts++;
    this.opts.onAlert?.(a);
  }

  private relink(ts: number): void {
    const t0 = performance.now();
    const ids = [...this.states.keys()].sort();
    // Only the accounts that sent something since the last pass have a new aggregate.
    for (const id of this.dirty)
      this.aggregates.set(id, (this.states.get(id) as AccountState).aggregate(this.releases));
    this.dirty.clear();
    const aggregates = ids.map((id) => this.aggregates.get(id) as AccountAggregate);
    const texts = new Map<string, TextSummary>();
    if (this.textMode !== 'none')
      for (const id of ids) texts.set(id, (this.states.get(id) as AccountState).text);
    // In the order they became shared (deterministic for a stream); the graph sorts members.
    const artifacts: Artifact[] = [
      ...this.staticArtifacts,
      ...this.sharedArtifacts.values(),
      ...this.sharedTemplates.values(),
    ];
    this.baselines = signalBaselines(aggregates, this.infoById);
    const j = judge({
      aggregates,
      infos: this.infos,
      texts,
      artifacts,
      seed: this.seed,
      baselines: this.baselines,
      ...(this.opts.feedback === undefined ? {} : { feedback: this.opts.feedback }),
    });
    this.last = j;
    this.received = new Map();
    j.verdicts.forEach((v) => {
      const ce = v.evidence.find((x) => x.signal === 'link.harvesting_cluster');
      if (ce === undefined || ce.weight <= 0) return;
      this.received.set(v.account_id, {
        term: ce.weight,
        size: Number(ce.value),
        detail: ce.detail,
        campaign: v.campaign_id,
      });
    });
    this.campaignTemplates = campaignTemplates(j);
    const stamp = toRfc3339(ts);
    for (const v of j.verdicts) {
      if (VERDICT_RANK[v.verdict] <= VERDICT_RANK[this.alerted.get(v.account_id) ?? 'clear']) continue;
      this.alert({
        ts: stamp,
        account_id: v.account_id,
        verdict: v.verdict,
        score: v.score,
        campaign_id: v.campaign_id,
        evidence: v.evidence,
      });
    }
    this.stats.relinks++;
    this.stats.relinkSeconds += (performance.now() - t0) / 1000;
    this.opts.onRelink?.(j, ts);
  }

  /** Verdicts and campaigns of the last full pass. */
  results(): { verdicts: Verdict[]; campaigns: Campaign[] } {
    return { verdicts: this.last?.verdicts ?? [], campaigns: this.last?.campaigns ?? [] };
  }
}

function resetSummary(s: TextSummary): void {
  s.sampled = 0;
  s.withText = 0;
  s.withFingerprint = 0;
  s.strong = 0;
  s.elicited = 0;
  s.kinds.fill(0);
  s.capabilities.fill(0);
  s.templates.clear();
  s.fingerprints.clear();
}

/** The artifact value of a system prompt: a digest (the batch driver's md5). */
function systemKey(systemPrompt: string): string {
  return createHash('md5').update(systemPrompt).digest('hex');
}

/** Payment instruments and email domains shared by accounts on file (as the batch driver reads them). */
function accountArtifacts(infos: readonly AccountInfo[]): Artifact[] {
  const by = new Map<string, Set<string>>();
  const add = (kind: string, value: string | null, id: string) => {
    if (value === null || value === '') return;
    const k = `${kind}\u0000${value}`;
    const s = by.get(k) ?? new Set<string>();
    by.set(k, s);
    s.add(id);
  };
  for (const i of infos) {
    add('payment_fingerprint', i.payment_fingerprint, i.account_id);
    add('email_domain', i.email_domain === null ? null : i.email_domain.toLowerCase(), i.account_id);
  }
  const out: Artifact[] = [];
  for (const [k, s] of [...by].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (s.size < 2 || s.size > MAX_ARTIFACT_ACCOUNTS) continue;
    const sep = k.indexOf('\u0000');
    out.push({ kind: k.slice(0, sep) as LinkKind, value: k.slice(sep + 1), accounts: [...s].sort() });
  }
  return out;
}

/** The templates that name a campaign of a full pass: its indicators of that kind (held by at
 * least two of its flagged members and mostly by them), without the cap a campaign record puts
 * on how many it lists. */
function campaignTemplates(
  j: Judgement,
): Map<string, { term: number; detail: string; size: number; campaign: string }> {
  const out = new Map<string, { term: number; detail: string; size: number; campaign: string }>();
  for (const c of j.campaigns) {
    const ev = c.evidence.find((e) => e.signal === 'link.harvesting_cluster');
    if (ev === undefined || ev.weight <= 0) continue;
    const members: number[] = [];
    for (const id of c.accounts) {
      const i = j.graph.index.get(id);
      if (i !== undefined) members.push(i);
    }
    for (const s of sharedIndicators(j.graph.artifactsOf, members)) {
      if (s.kind !== 'prompt_template') continue;
      const prev = out.get(s.value);
      if (prev === undefined || ev.weight > prev.term)
        out.set(s.value, {
          term: ev.weight,
          detail: ev.detail,
          size: c.accounts.length,
          campaign: c.campaign_id,
        });
    }
  }
  return out;
}
