/**
 * Ban evasion: a new account (unknown to the verdicts) whose artifacts match the indicators of a
 * throttled or blocked campaign takes that campaign's verdict from its first request.
 *
 * The artifacts are those `hunt` lists as campaign indicators (src/link/graph.ts LINK_KINDS, values
 * written the same way: /24 and /48 as `hunt` writes them, `prompt_template` as `templateKeys`,
 * `system_prompt` as the MD5 hex that DuckDB's `md5()` gives). Each matched kind adds its weight
 * once; an account matches a campaign when the sum reaches EVASION_THRESHOLD *and* at least one
 * matched kind is infrastructure (INFRA_KINDS). So a user agent, a TLS fingerprint or a template
 * alone — shared by every user of a client library, or copied from the web — never condemn.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { VerdictKind } from '../formats/index.js';
import { templateKeys } from '../signals/index.js';
import { subnetOf as subnetOfAddress } from '../store/index.js';
import { SEVERITY, type VerdictBook } from './verdict-book.js';

export const EVASION_KINDS = [
  'payment_fingerprint',
  'ip',
  'subnet',
  'system_prompt',
  'tls_fingerprint',
  'prompt_template',
  'email_domain',
  'user_agent',
] as const;
export type EvasionKind = (typeof EVASION_KINDS)[number];

/**
 * Weight of one matched indicator of each kind. A payment instrument behind a new account and a
 * blocked campaign is decisive by itself (the link stage weighs it 3, src/link/graph.ts). One
 * exact IP is not (a NAT or cloud egress: 1.5) but is with any second clue. A /24 with the same
 * TLS fingerprint (1 + 1) reaches the threshold: the same client build from the same block of
 * addresses. User agents and email domains are shared by too many innocent accounts to count for
 * more than a nudge. A template says little more: an agent framework's tool outputs are shared by
 * every coder using it, in the same clouds as a harvesting campaign — on the tuning seed's replay
 * /24 + template blocked three genuine coding agents (bench/results/watch.md); with an exact IP
 * it still counts.
 */
export const EVASION_WEIGHTS: Readonly<Record<EvasionKind, number>> = {
  payment_fingerprint: 3,
  ip: 1.5,
  system_prompt: 1.2,
  subnet: 1,
  tls_fingerprint: 1,
  prompt_template: 0.5,
  email_domain: 0.5,
  user_agent: 0.3,
};

/** Sum of weights at which a new account is taken for a campaign's: a payment instrument alone,
 * or two independent clues such as /24 + TLS fingerprint or IP + template. */
export const EVASION_THRESHOLD = 2;

/** Kinds that tie an account to the campaign's operator rather than to its software or habits;
 * a match needs at least one. */
export const INFRA_KINDS: ReadonlySet<EvasionKind> = new Set([
  'payment_fingerprint',
  'ip',
  'subnet',
  'system_prompt',
]);

/** What a request shows of its sender. Fields are absent when unknown. */
export interface Artifacts {
  ip?: string;
  tls_fingerprint?: string;
  user_agent?: string;
  payment_fingerprint?: string;
  email_domain?: string;
  /** Raw text; hashed or keyed here only when a campaign has an indicator of that kind. */
  prompt?: string;
  system_prompt?: string;
}

export interface EvasionMatch {
  campaign_id: string;
  verdict: VerdictKind;
  weight: number;
  /** `kind=value` of each matched indicator, for logs and the decision's reason. */
  matched: string[];
}

/** The network block `hunt` writes as the `subnet` indicator: a.b.c.0/24, or the first three
 * groups of an IPv6 address as written + `::/48` (src/store/duckdb-features.ts SUBNET_SQL). */
export function subnetOf(ip: string): string | undefined {
  // The address comes straight from the socket or a header: validated here, then the store's
  // definition (the `subnet` artifact hunt and watch link on).
  return isIP(ip) === 0 ? undefined : subnetOfAddress(ip);
}

/**
 * The indicator index of the campaigns whose verdict is one of `verdicts`, rebuilt when the book
 * changes (its `version`).
 */
export class EvasionIndex {
  private version = -1;
  private index = new Map<EvasionKind, Map<string, string[]>>();

  constructor(
    private readonly book: VerdictBook,
    private readonly verdicts: ReadonlySet<VerdictKind>,
  ) {}

  /** True when some campaign has indicators worth matching (checked before any work per request). */
  get active(): boolean {
    this.refresh();
    return this.index.size > 0;
  }

  private refresh(): void {
    if (this.version === this.book.version) return;
    const index = new Map<EvasionKind, Map<string, string[]>>();
    for (const c of this.book.allCampaigns()) {
      if (!this.verdicts.has(this.book.campaignVerdict(c.campaign_id))) continue;
      for (const kind of EVASION_KINDS) {
        const values = c.indicators[kind];
        if (values === undefined) continue;
        let byValue = index.get(kind);
        if (byValue === undefined) {
          byValue = new Map();
          index.set(kind, byValue);
        }
        for (const v of values) {
          const list = byValue.get(v) ?? [];
          list.push(c.campaign_id);
          byValue.set(v, list);
        }
      }
    }
    this.index = index;
    this.version = this.book.version;
  }

  /** The most severe (then heaviest) campaign the artifacts match, or null. */
  match(a: Artifacts): EvasionMatch | null {
    this.refresh();
    if (this.index.size === 0) return null;
    const hits = new Map<string, { weight: number; infra: boolean; matched: string[] }>();
    const offer = (kind: EvasionKind, value: string | undefined) => {
      if (value === undefined || value === '') return;
      const campaigns = this.index.get(kind)?.get(value);
      if (campaigns === undefined) return;
      for (const c of campaigns) {
        const h = hits.get(c) ?? { weight: 0, infra: false, matched: [] };
        if (h.matched.some((m) => m.startsWith(`${kind}=`))) continue;
        h.weight += EVASION_WEIGHTS[kind];
        h.infra ||= INFRA_KINDS.has(kind);
        h.matched.push(`${kind}=${kind === 'prompt_template' || kind === 'system_prompt' ? '…' : value}`);
        hits.set(c, h);
      }
    };
    offer('payment_fingerprint', a.payment_fingerprint);
    if (a.ip !== undefined) {
      offer('ip', a.ip);
      if (this.index.has('subnet')) offer('subnet', subnetOf(a.ip));
    }
    offer('tls_fingerprint', a.tls_fingerprint);
    offer('user_agent', a.user_agent);
    offer('email_domain', a.email_domain?.toLowerCase());
    if (a.system_prompt !== undefined && this.index.has('system_prompt'))
      offer('system_prompt', createHash('md5').update(a.system_prompt).digest('hex'));
    if (a.prompt !== undefined && this.index.has('prompt_template'))
      for (const k of templateKeys(a.prompt)) offer('prompt_template', k);
    let best: EvasionMatch | null = null;
    for (const [campaign_id, h] of hits) {
      if (h.weight < EVASION_THRESHOLD || !h.infra) continue;
      const verdict = this.book.campaignVerdict(campaign_id);
      if (
        best === null ||
        SEVERITY[verdict] > SEVERITY[best.verdict] ||
        (SEVERITY[verdict] === SEVERITY[best.verdict] && h.weight > best.weight)
      )
        best = { campaign_id, verdict, weight: h.weight, matched: h.matched };
    }
    return best;
  }
}
