/**
 * Resellers and apps with many end users: one account carries the traffic of many people, so
 * condemning the account is wrong when only some of them harvest (THREAT-MODEL.md: hydra
 * clusters mix harvest with their genuine customers' requests). For each such account that
 * the account-level score flagged, every exchange is judged in its context: its own prompt,
 * its end user (a unit), and the templates the account's harvesting traffic uses.
 */
import { createTextAnalyzer } from '../signals/index.js';
import type { FeatureSource, UnitExchangeRow } from '../store/index.js';

/** An account that declares at least this many distinct end users carries other people's
 * traffic and, when flagged, is judged exchange by exchange. */
export const MULTI_USER_MIN_END_USERS = 2;
/** An end user whose prompts carry strong elicitation this often (shrunk by 2 pseudo-
 * prompts) is a harvesting unit: a genuine end user asks that way rarely if ever. */
export const UNIT_HARVEST_SHARE = 0.2;
/** A template used at least this often in the account, mostly (≥ half) with strong
 * elicitation, marks every exchange that uses it. */
export const HARVEST_TEMPLATE_MIN_USES = 5;

export interface ExchangeVerdict {
  request_id: string;
  flagged: boolean;
}

export interface ResellerAccount {
  account_id: string;
  exchanges: number;
  flagged: number;
  units: number;
  harvestUnits: number;
}

export interface ResellerResult {
  units: ExchangeVerdict[];
  accounts: ResellerAccount[];
}

export async function judgeResellers(
  source: FeatureSource,
  accounts: readonly string[],
): Promise<ResellerResult> {
  const out: ResellerResult = { units: [], accounts: [] };
  if (accounts.length === 0) return out;
  // The judgement needs elicitation and templates only, not the capability model.
  const analyze = createTextAnalyzer(100_000, false);
  // Rows come ordered by account; an account's rows may span batches.
  let rows: UnitExchangeRow[] = [];
  for await (const batch of source.unitExchanges(accounts))
    for (const r of batch) {
      if (rows.length > 0 && rows[0]?.account_id !== r.account_id) {
        judgeAccount(rows, out, analyze);
        rows = [];
      }
      rows.push(r);
    }
  judgeAccount(rows, out, analyze);
  return out;
}

type Row = UnitExchangeRow;

function judgeAccount(
  rows: readonly Row[],
  out: ResellerResult,
  analyze: ReturnType<typeof createTextAnalyzer>,
): void {
  if (rows.length === 0) return;
  const analysed = rows.map((r) =>
    r.prompt === null ? null : analyze(r.prompt, r.system_prompt, r.tool_count),
  );
  const unit = new Map<string, { n: number; strong: number }>();
  const tmpl = new Map<string, { n: number; strong: number }>();
  rows.forEach((r, i) => {
    const a = analysed[i];
    const u = r.end_user_id ?? '';
    const s = unit.get(u) ?? { n: 0, strong: 0 };
    s.n++;
    if (a?.strong) s.strong++;
    unit.set(u, s);
    for (const k of a?.templates ?? []) {
      const t = tmpl.get(k) ?? { n: 0, strong: 0 };
      t.n++;
      if (a?.strong) t.strong++;
      tmpl.set(k, t);
    }
  });
  const harvestUnit = (u: string) => {
    const s = unit.get(u);
    return s !== undefined && s.strong / (s.n + 2) >= UNIT_HARVEST_SHARE;
  };
  const harvestTemplate = (k: string) => {
    const t = tmpl.get(k);
    return t !== undefined && t.n >= HARVEST_TEMPLATE_MIN_USES && t.strong * 2 >= t.n;
  };
  let flagged = 0;
  let harvestUnits = 0;
  for (const u of unit.keys()) if (harvestUnit(u)) harvestUnits++;
  rows.forEach((r, i) => {
    const a = analysed[i];
    const f =
      (a?.strong ?? false) || harvestUnit(r.end_user_id ?? '') || (a?.templates ?? []).some(harvestTemplate);
    if (f) flagged++;
    if (r.request_id !== null) out.units.push({ request_id: r.request_id, flagged: f });
  });
  out.accounts.push({
    account_id: rows[0]?.account_id ?? '',
    exchanges: rows.length,
    flagged,
    units: unit.size,
    harvestUnits,
  });
}
