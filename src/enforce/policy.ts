/**
 * The policy core: who is calling → what to do, as a discriminated union. Pure and synchronous:
 * it reads the VerdictBook and returns a decision; the token bucket a `throttle` decision names
 * is settled by the caller against the StateStore.
 *
 * An account's verdict is the more severe of its own and its campaign's (campaign members inherit
 * the campaign's action); an account unknown to the verdicts may match a campaign by its artifacts
 * (evasion.ts) and then takes that campaign's verdict, from its first request on.
 */
import type { FeedbackIndex } from '../feedback/index.js';
import type { VerdictKind } from '../formats/index.js';
import type { Artifacts, EvasionIndex, EvasionMatch } from './evasion.js';
import { moreSevere, type VerdictBook } from './verdict-book.js';

export const ACTIONS = ['allow', 'throttle', 'step_up', 'degrade', 'block'] as const;
export type Action = (typeof ACTIONS)[number];
export type ActionMap = Readonly<Record<VerdictKind, Action>>;

/** watch is allowed and logged; throttle and block do what they say. */
export const DEFAULT_ACTIONS: ActionMap = {
  clear: 'allow',
  watch: 'allow',
  throttle: 'throttle',
  block: 'block',
};

/** Why a decision was taken: data, rendered by whoever logs it. */
export interface Reason {
  /** `analyst`: an enforcement action set in the dashboard (feedback.json), which overrides the
   * verdicts' action — to block sooner, or to let a false positive through. */
  source: 'account' | 'campaign' | 'evasion' | 'analyst';
  verdict: VerdictKind;
  campaign_id: string | null;
  /** Indicators matched (evasion only). */
  matched?: readonly string[];
}

export type Decision =
  | { action: 'allow'; reason: Reason | null }
  | { action: 'throttle'; bucket: string; reason: Reason }
  | { action: 'step_up'; reason: Reason }
  | { action: 'degrade'; reason: Reason }
  | { action: 'block'; reason: Reason };

export const ALLOW: Decision = Object.freeze({ action: 'allow', reason: null });

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}

export interface Subject {
  account: string;
  /** Accounts on an analyst allow-list (accounts file `trust`) are never matched by artifacts. */
  trusted: boolean;
  /** Computed only when needed: the account is unknown and some campaign has indicators. */
  artifacts: () => Artifacts;
}

/** New accounts remembered as evaders of a campaign; the oldest is forgotten beyond this (about
 * 200 bytes each: 20 MB at most). */
export const MAX_EVADERS = 100_000;

export class Policy {
  private readonly evaders = new Map<string, EvasionMatch>();

  constructor(
    private readonly book: VerdictBook,
    private readonly evasion: EvasionIndex,
    private readonly actions: ActionMap = DEFAULT_ACTIONS,
    /** The analysts' decisions currently in force (null: none). */
    private readonly feedback: () => FeedbackIndex | null = () => null,
  ) {}

  decide(s: Subject): Decision {
    const own = this.book.account(s.account);
    const campaign = this.book.campaignOf(s.account);
    const fb = this.feedback();
    if (fb !== null) {
      // The account's own action wins, then the most severe of the campaigns listing it in the
      // feedback, then one set on the campaign the verdicts put it in.
      const set =
        fb.actionOf({ kind: 'account', id: s.account }) ??
        (campaign !== null ? fb.actionOf({ kind: 'campaign', id: campaign }) : null);
      if (set !== null) {
        const verdict = moreSevere(
          own?.verdict ?? 'clear',
          campaign !== null ? this.book.campaignVerdict(campaign) : 'clear',
        );
        return this.apply(
          set.action,
          { source: 'analyst', verdict, campaign_id: set.campaign_id ?? campaign },
          set.campaign_id ?? campaign ?? s.account,
        );
      }
    }
    if (own !== undefined || campaign !== null) {
      const cv = campaign !== null ? this.book.campaignVerdict(campaign) : 'clear';
      const ov = own?.verdict ?? 'clear';
      const verdict = moreSevere(ov, cv);
      if (verdict === 'clear') return ALLOW;
      return this.act(
        verdict,
        {
          source: own !== undefined && ov === verdict ? 'account' : 'campaign',
          verdict,
          campaign_id: campaign,
        },
        campaign ?? s.account,
      );
    }
    let m = this.evaders.get(s.account);
    if (m === undefined) {
      if (s.trusted || !this.evasion.active) return ALLOW;
      const found = this.evasion.match(s.artifacts());
      if (found === null) return ALLOW;
      m = found;
      if (this.evaders.size >= MAX_EVADERS) {
        const oldest = this.evaders.keys().next();
        if (oldest.done !== true) this.evaders.delete(oldest.value);
      }
      this.evaders.set(s.account, m);
    }
    const verdict = this.book.campaignVerdict(m.campaign_id);
    return this.act(
      verdict,
      { source: 'evasion', verdict, campaign_id: m.campaign_id, matched: m.matched },
      m.campaign_id,
    );
  }

  /** Evaders found so far (for stats). */
  get evaderCount(): number {
    return this.evaders.size;
  }

  private act(verdict: VerdictKind, reason: Reason, bucket: string): Decision {
    return this.apply(this.actions[verdict], reason, bucket);
  }

  private apply(action: Action, reason: Reason, bucket: string): Decision {
    switch (action) {
      case 'allow':
        return { action, reason: reason.verdict === 'clear' && reason.source !== 'analyst' ? null : reason };
      case 'throttle':
        // One bucket per campaign: its members share the rate, so more accounts buy no more.
        return { action, bucket, reason };
      case 'step_up':
      case 'degrade':
      case 'block':
        return { action, reason };
      default:
        return assertNever(action);
    }
  }
}
