/**
 * The verdicts the gateway enforces, indexed for the request path: account → verdict, campaign →
 * members and indicators, indicator value → campaigns (for ban evasion). Pure data; it is filled by
 * a VerdictFeed (a `hunt` directory, pushed updates, Redis) and read synchronously per request.
 */
import type { Alert, Campaign, Verdict, VerdictKind } from '../formats/index.js';

/** Order of severity: a campaign's verdict is its most severe member's. */
export const SEVERITY: Readonly<Record<VerdictKind, number>> = { clear: 0, watch: 1, throttle: 2, block: 3 };

export function moreSevere(a: VerdictKind, b: VerdictKind): VerdictKind {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}

/** One update of the book: what `hunt` writes and what `watch` pushes (formats.md). */
export type VerdictUpdate =
  | { kind: 'verdict'; record: Verdict }
  | { kind: 'campaign'; record: Campaign }
  | { kind: 'alert'; record: Alert };

export interface AccountEntry {
  verdict: VerdictKind;
  score: number;
  campaign_id: string | null;
}

export interface CampaignEntry {
  campaign_id: string;
  accounts: readonly string[];
  indicators: Readonly<Record<string, readonly string[]>>;
  score: number;
}

export class VerdictBook {
  private readonly accounts = new Map<string, AccountEntry>();
  private readonly campaigns = new Map<string, CampaignEntry>();
  /** account → campaign from campaign member lists (a verdict's own campaign_id wins). */
  private readonly memberOf = new Map<string, string>();
  /** Campaign verdicts, recomputed lazily after a change. */
  private campaignVerdicts: Map<string, VerdictKind> | null = null;
  /** Incremented on every change, so that caches built on the book know when to rebuild. */
  version = 0;

  get size(): { accounts: number; campaigns: number } {
    return { accounts: this.accounts.size, campaigns: this.campaigns.size };
  }

  apply(u: VerdictUpdate): void {
    switch (u.kind) {
      case 'verdict':
      case 'alert':
        this.accounts.set(u.record.account_id, {
          verdict: u.record.verdict,
          score: u.record.score,
          campaign_id: u.record.campaign_id,
        });
        break;
      case 'campaign': {
        const old = this.campaigns.get(u.record.campaign_id);
        if (old !== undefined)
          for (const a of old.accounts) if (this.memberOf.get(a) === old.campaign_id) this.memberOf.delete(a);
        this.campaigns.set(u.record.campaign_id, {
          campaign_id: u.record.campaign_id,
          accounts: u.record.accounts,
          indicators: u.record.indicators,
          score: u.record.score,
        });
        for (const a of u.record.accounts) this.memberOf.set(a, u.record.campaign_id);
        break;
      }
    }
    this.campaignVerdicts = null;
    this.version++;
  }

  /** Replaces everything (a reload of a `hunt` directory). */
  replace(verdicts: Iterable<Verdict>, campaigns: Iterable<Campaign>): void {
    this.accounts.clear();
    this.campaigns.clear();
    this.memberOf.clear();
    for (const c of campaigns) this.apply({ kind: 'campaign', record: c });
    for (const v of verdicts) this.apply({ kind: 'verdict', record: v });
  }

  account(id: string): AccountEntry | undefined {
    return this.accounts.get(id);
  }

  /** The campaign an account belongs to: its verdict's campaign, else a campaign listing it. */
  campaignOf(id: string): string | null {
    return this.accounts.get(id)?.campaign_id ?? this.memberOf.get(id) ?? null;
  }

  campaign(id: string): CampaignEntry | undefined {
    return this.campaigns.get(id);
  }

  allCampaigns(): IterableIterator<CampaignEntry> {
    return this.campaigns.values();
  }

  /** A campaign's verdict: its most severe member's (by their own verdicts), `watch` when none is known. */
  campaignVerdict(id: string): VerdictKind {
    if (this.campaignVerdicts === null) this.campaignVerdicts = this.computeCampaignVerdicts();
    return this.campaignVerdicts.get(id) ?? 'watch';
  }

  private computeCampaignVerdicts(): Map<string, VerdictKind> {
    const out = new Map<string, VerdictKind>();
    const raise = (c: string, v: VerdictKind) => out.set(c, moreSevere(out.get(c) ?? 'clear', v));
    for (const [id, a] of this.accounts) {
      const c = a.campaign_id ?? this.memberOf.get(id);
      if (c !== undefined && c !== null) raise(c, a.verdict);
    }
    for (const c of this.campaigns.keys()) if (!out.has(c)) out.set(c, 'watch');
    return out;
  }
}
