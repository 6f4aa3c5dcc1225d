/**
 * Per-exchange sections, computed in one pass over an exchanges file of any size (memory
 * grows with accounts and exchange verdicts, not with exchanges):
 *
 * - reseller: in traffic of accounts that mix harvested and genuine exchanges (the ones
 *   whose exchanges carry the ground-truth `harvest` flag), the recall of `harvest: true`
 *   exchanges and the share of `harvest: false` ones flagged. An exchange is flagged by an
 *   exchange verdict naming its request_id, else by one naming its (account_id,
 *   end_user_id); with an exchange-verdicts file, an exchange no verdict covers is not
 *   flagged. Without that file each exchange inherits its account's verdict.
 * - live: per true campaign, simulated time from its first exchange to the first alert of
 *   any member and to half its members alerted; exchanges served to attack accounts up to
 *   their first alert. An alert's `ts` is the event time of the exchange that raised it, so
 *   that exchange and any other at or before it count as served before the alert.
 */

import { trueCampaignOf } from './campaigns.js';
import { ScoreError } from './errors.js';
import { ratio } from './metrics.js';
import { type AlertRow, EXAMPLES_SHOWN, flaggedOf, isFlagged, type Truth } from './truth.js';

/** The fields of an exchange these sections read; `ts` in epoch milliseconds. */
export interface ExchangeRow {
  ts: number;
  account_id: string;
  request_id?: string | undefined;
  end_user_id?: string | undefined;
  harvest?: boolean | undefined;
}

/** One line of exchange_verdicts.jsonl (docs/scoring.md): per exchange or per end user. */
export type ExchangeVerdictRow =
  | { request_id: string; flagged: boolean; score?: number | undefined }
  | { account_id: string; end_user_id: string; flagged: boolean };

export interface ExchangeVerdictIndex {
  byRequest: ReadonlyMap<string, boolean>;
  byEndUser: ReadonlyMap<string, boolean>;
  size: number;
}

/** "Half its accounts alerted": the median member's time to alert. */
export const HALF_SHARE = 0.5;

function endUserKey(accountId: string, endUserId: string): string {
  return `${accountId}\u0000${endUserId}`;
}

export function indexExchangeVerdicts(rows: readonly ExchangeVerdictRow[]): ExchangeVerdictIndex {
  if (rows.length === 0) {
    throw new ScoreError('empty_exchange_verdicts', 'the exchange verdicts file holds no valid verdict');
  }
  const byRequest = new Map<string, boolean>();
  const byEndUser = new Map<string, boolean>();
  const dup: string[] = [];
  for (const r of rows) {
    const [map, key, shown] =
      'request_id' in r
        ? [byRequest, r.request_id, `request_id ${r.request_id}`]
        : [byEndUser, endUserKey(r.account_id, r.end_user_id), `${r.account_id}/${r.end_user_id}`];
    if (map.has(key)) dup.push(shown);
    map.set(key, r.flagged);
  }
  if (dup.length > 0) {
    throw new ScoreError(
      'duplicate_exchange_verdicts',
      `exchange verdicts repeat: ${dup.slice(0, EXAMPLES_SHOWN).join(', ')}${dup.length > EXAMPLES_SHOWN ? ` … (${dup.length} in all)` : ''}`,
    );
  }
  return { byRequest, byEndUser, size: rows.length };
}

export interface ResellerReport {
  source: 'exchange_verdicts' | 'account_verdicts';
  /** Accounts with at least one exchange carrying `harvest`. */
  mixingAccounts: number;
  harvestExchanges: number;
  harvestFlagged: number;
  harvestRecall: number | null;
  genuineExchanges: number;
  genuineFlagged: number;
  genuineFlaggedShare: number | null;
  /** With exchange verdicts: harvest-mixing exchanges no exchange verdict covers (not flagged). */
  uncovered: number;
}

export interface LiveCampaignRow {
  campaign_id: string;
  accounts: number;
  accountsAlerted: number;
  firstExchangeMs: number | null;
  firstAlertMs: number | null;
  /** firstAlert − firstExchange; null when never alerted (or no exchange). */
  toFirstAlertMs: number | null;
  /** Time until ⌈HALF_SHARE·accounts⌉ members have alerted; null when fewer ever did. */
  toHalfAlertedMs: number | null;
}

export interface LiveReport {
  alerts: number;
  /** Alerts with verdict `clear` are not alerts of suspicion and are ignored. */
  clearAlertsIgnored: number;
  alertedAttackAccounts: number;
  alertedGenuineAccounts: number;
  campaigns: LiveCampaignRow[];
  attackExchanges: number;
  servedBeforeAlert: number;
  servedBeforeAlertShare: number | null;
}

export interface ExchangesReport {
  read: number;
  /** Exchanges of accounts absent from labels: left out of every section. */
  unlabelled: number;
  reseller: ResellerReport;
  live: LiveReport | null;
  /** Exchange verdicts that matched no exchange (with an exchange-verdicts file). */
  exchangeVerdictsUnused: number;
}

interface AttackAccountTally {
  first: number;
  exchanges: number;
  beforeAlert: number;
}

/** One pass over exchanges: `add` each, then `finish`. */
export class ExchangeTally {
  private read = 0;
  private unlabelled = 0;
  private readonly mixing = new Set<string>();
  private harvest = 0;
  private harvestFlagged = 0;
  private genuine = 0;
  private genuineFlagged = 0;
  private uncovered = 0;
  private readonly usedRequests = new Set<string>();
  private readonly usedEndUsers = new Set<string>();
  private readonly firstAlert = new Map<string, number>();
  private readonly attack = new Map<string, AttackAccountTally>();
  private alertCount = 0;
  private clearAlerts = 0;

  constructor(
    private readonly truth: Truth,
    private readonly exchangeVerdicts: ExchangeVerdictIndex | undefined,
    private readonly alerts: readonly AlertRow[] | undefined,
  ) {
    for (const a of alerts ?? []) {
      this.alertCount++;
      if (!isFlagged(a.verdict)) {
        this.clearAlerts++;
        continue;
      }
      if (!truth.labels.has(a.account_id)) continue; // counted as unknown by joinTruth
      const prev = this.firstAlert.get(a.account_id);
      if (prev === undefined || a.ts < prev) this.firstAlert.set(a.account_id, a.ts);
    }
  }

  private exchangeFlag(ex: ExchangeRow): boolean | undefined {
    const ev = this.exchangeVerdicts;
    if (ev === undefined) return flaggedOf(this.truth, ex.account_id);
    if (ex.request_id !== undefined) {
      const f = ev.byRequest.get(ex.request_id);
      if (f !== undefined) {
        this.usedRequests.add(ex.request_id);
        return f;
      }
    }
    if (ex.end_user_id !== undefined) {
      const key = endUserKey(ex.account_id, ex.end_user_id);
      const f = ev.byEndUser.get(key);
      if (f !== undefined) {
        this.usedEndUsers.add(key);
        return f;
      }
    }
    return undefined;
  }

  add(ex: ExchangeRow): void {
    this.read++;
    const label = this.truth.labels.get(ex.account_id);
    if (label === undefined) {
      this.unlabelled++;
      return;
    }
    const flag = this.exchangeFlag(ex);
    if (ex.harvest !== undefined) {
      this.mixing.add(ex.account_id);
      if (flag === undefined) this.uncovered++;
      if (ex.harvest) {
        this.harvest++;
        if (flag === true) this.harvestFlagged++;
      } else {
        this.genuine++;
        if (flag === true) this.genuineFlagged++;
      }
    }
    if (label.label === 'attack') {
      let a = this.attack.get(ex.account_id);
      if (a === undefined) {
        a = { first: ex.ts, exchanges: 0, beforeAlert: 0 };
        this.attack.set(ex.account_id, a);
      }
      a.first = Math.min(a.first, ex.ts);
      a.exchanges++;
      const alertTs = this.firstAlert.get(ex.account_id);
      if (alertTs === undefined || ex.ts <= alertTs) a.beforeAlert++;
    }
  }

  finish(): ExchangesReport {
    const ev = this.exchangeVerdicts;
    const used = this.usedRequests.size + this.usedEndUsers.size;
    if (ev !== undefined && this.read > 0 && used === 0) {
      throw new ScoreError(
        'exchange_verdicts_unmatched',
        'no exchange verdict matches an exchange (by request_id or account_id + end_user_id): are the files from the same run?',
      );
    }
    return {
      read: this.read,
      unlabelled: this.unlabelled,
      reseller: {
        source: ev === undefined ? 'account_verdicts' : 'exchange_verdicts',
        mixingAccounts: this.mixing.size,
        harvestExchanges: this.harvest,
        harvestFlagged: this.harvestFlagged,
        harvestRecall: ratio(this.harvestFlagged, this.harvest),
        genuineExchanges: this.genuine,
        genuineFlagged: this.genuineFlagged,
        genuineFlaggedShare: ratio(this.genuineFlagged, this.genuine),
        uncovered: this.uncovered,
      },
      live: this.alerts === undefined ? null : this.live(),
      exchangeVerdictsUnused: ev === undefined ? 0 : ev.size - used,
    };
  }

  private live(): LiveReport {
    const members = new Map<string, string[]>();
    for (const [id, l] of this.truth.labels) {
      if (l.label !== 'attack') continue;
      const c = trueCampaignOf(id, l.campaign_id);
      const m = members.get(c) ?? [];
      m.push(id);
      members.set(c, m);
    }
    const campaigns: LiveCampaignRow[] = [...members]
      .map(([campaign_id, ids]) => {
        const firsts = ids
          .map((id) => this.attack.get(id)?.first)
          .filter((x): x is number => x !== undefined);
        const firstExchangeMs = firsts.length === 0 ? null : firsts.reduce((m, x) => Math.min(m, x));
        const alertTimes = ids
          .map((id) => this.firstAlert.get(id))
          .filter((x): x is number => x !== undefined)
          .sort((a, b) => a - b);
        const firstAlertMs = alertTimes[0] ?? null;
        const halfAt = alertTimes[Math.ceil(HALF_SHARE * ids.length) - 1];
        const since = (t: number | null | undefined): number | null =>
          t === null || t === undefined || firstExchangeMs === null ? null : t - firstExchangeMs;
        return {
          campaign_id,
          accounts: ids.length,
          accountsAlerted: alertTimes.length,
          firstExchangeMs,
          firstAlertMs,
          toFirstAlertMs: since(firstAlertMs),
          toHalfAlertedMs: since(halfAt),
        };
      })
      .sort((a, b) => b.accounts - a.accounts || (a.campaign_id < b.campaign_id ? -1 : 1));
    let alertedAttack = 0;
    let alertedGenuine = 0;
    for (const id of this.firstAlert.keys()) {
      if (this.truth.labels.get(id)?.label === 'attack') alertedAttack++;
      else alertedGenuine++;
    }
    let attackExchanges = 0;
    let servedBeforeAlert = 0;
    for (const a of this.attack.values()) {
      attackExchanges += a.exchanges;
      servedBeforeAlert += a.beforeAlert;
    }
    return {
      alerts: this.alertCount,
      clearAlertsIgnored: this.clearAlerts,
      alertedAttackAccounts: alertedAttack,
      alertedGenuineAccounts: alertedGenuine,
      campaigns,
      attackExchanges,
      servedBeforeAlert,
      servedBeforeAlertShare: ratio(servedBeforeAlert, attackExchanges),
    };
  }
}

/** The exchange sections over an in-memory array (tests, small inputs). */
export function scoreExchanges(
  truth: Truth,
  exchanges: Iterable<ExchangeRow>,
  exchangeVerdicts?: ExchangeVerdictIndex,
  alerts?: readonly AlertRow[],
): ExchangesReport {
  const t = new ExchangeTally(truth, exchangeVerdicts, alerts);
  for (const ex of exchanges) t.add(ex);
  return t.finish();
}
