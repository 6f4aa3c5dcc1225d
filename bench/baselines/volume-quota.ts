/**
 * Baseline 1 — volume quota, as LLM gateways ship it today: per-account request and token
 * limits per window (OpenAI's and Anthropic's RPM/TPM tiers, LiteLLM's and Portkey's per-key
 * budgets). A deployed quota is a fixed number per tier; with no tier here we set it where a
 * provider would, relative to its own population: the 99th percentile over all accounts of
 * each account's busiest hour and busiest day, in requests and in tokens (input + output).
 *
 * score: r = max over the four windows of (account's peak / population 99th percentile), mapped
 * to r / (1 + r), so an account exactly at the quota scores 0.5. Verdict: `throttle` (what a
 * quota does: HTTP 429) when r > 1 on any window, else `clear`. No campaigns.
 */
import { asNumbers, asStrings, columnsOf, loadInputs, openDuck } from './duck.js';
import { type Baseline, type BaselineInput, type BaselineResult, evidence, verdict } from './verdicts.js';

/** The population quantile a quota is set at: the 99th percentile, i.e. about 1 % of accounts
 * exceed each window's limit, the usual "protect the top tier" choice. */
export const QUOTA_QUANTILE = 0.99;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

const WINDOWS = [
  { signal: 'quota.requests_per_hour', col: 'req_h', what: 'requests in its busiest hour' },
  { signal: 'quota.tokens_per_hour', col: 'tok_h', what: 'tokens in its busiest hour' },
  { signal: 'quota.requests_per_day', col: 'req_d', what: 'requests on its busiest day' },
  { signal: 'quota.tokens_per_day', col: 'tok_d', what: 'tokens on its busiest day' },
] as const;

export async function runVolumeQuota(input: BaselineInput): Promise<BaselineResult> {
  const d = await openDuck();
  try {
    await loadInputs(d, input, ['input_tokens', 'output_tokens']);
    const cols = await columnsOf(
      d,
      `WITH e AS (SELECT account_id, t_ms, coalesce(input_tokens, 0) + coalesce(output_tokens, 0) AS tok FROM ex),
      h AS (SELECT account_id, count(*) AS n, sum(tok) AS tok FROM e GROUP BY account_id, t_ms // ${HOUR_MS}),
      dd AS (SELECT account_id, count(*) AS n, sum(tok) AS tok FROM e GROUP BY account_id, t_ms // ${DAY_MS}),
      hm AS (SELECT account_id, max(n) AS req_h, max(tok) AS tok_h FROM h GROUP BY account_id),
      dm AS (SELECT account_id, max(n) AS req_d, max(tok) AS tok_d FROM dd GROUP BY account_id),
      f AS (SELECT a.account_id, coalesce(req_h, 0)::DOUBLE AS req_h, coalesce(tok_h, 0)::DOUBLE AS tok_h,
              coalesce(req_d, 0)::DOUBLE AS req_d, coalesce(tok_d, 0)::DOUBLE AS tok_d
            FROM all_accounts a LEFT JOIN hm USING (account_id) LEFT JOIN dm USING (account_id)),
      q AS (SELECT quantile_cont(req_h, ${QUOTA_QUANTILE}) AS q_req_h, quantile_cont(tok_h, ${QUOTA_QUANTILE}) AS q_tok_h,
              quantile_cont(req_d, ${QUOTA_QUANTILE}) AS q_req_d, quantile_cont(tok_d, ${QUOTA_QUANTILE}) AS q_tok_d FROM f)
      SELECT account_id, req_h, tok_h, req_d, tok_d, q_req_h, q_tok_h, q_req_d, q_tok_d FROM f, q ORDER BY account_id`,
    );
    const ids = asStrings(cols[0]);
    const values = WINDOWS.map((_, k) => asNumbers(cols[1 + k]));
    const limits = WINDOWS.map((_, k) => asNumbers(cols[5 + k])[0] ?? 0);
    let flagged = 0;
    const verdicts = ids.map((id, i) => {
      let r = 0;
      const ev = WINDOWS.map((w, k) => {
        const v = values[k]![i]!;
        const lim = limits[k]!;
        // A limit of 0 (most accounts idle in every window) cannot be exceeded meaningfully.
        const ratio = lim > 0 ? v / lim : 0;
        if (ratio > r) r = ratio;
        return evidence(
          w.signal,
          v,
          lim,
          ratio,
          `${w.what}, against the population's ${QUOTA_QUANTILE * 100}th percentile`,
        );
      });
      const over = r > 1;
      if (over) flagged++;
      return verdict(id, r / (1 + r), over ? 'throttle' : 'clear', null, ev);
    });
    const stats: Record<string, number | string> = { accounts: ids.length, flagged };
    WINDOWS.forEach((w, k) => {
      stats[`limit_${w.col}`] = Math.round(limits[k]!);
    });
    return { verdicts, stats };
  } finally {
    d.close();
  }
}

export const volumeQuota: Baseline = {
  name: 'volume-quota',
  method: `per-account requests and tokens per hour and per day; quota at the population's ${QUOTA_QUANTILE * 100}th percentile`,
  run: (input) => runVolumeQuota(input),
};
