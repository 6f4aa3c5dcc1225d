/**
 * Baseline 4 — per-account anomaly score: an isolation forest (Liu, Ting, Zhou, ICDM 2008;
 * isolation-forest.ts) over per-account behaviour features computed in DuckDB. The paper's
 * parameters: 100 trees, subsample 256; seeded.
 *
 * Features (one row per account; an account with no exchange has all zeros): log requests,
 * log tokens, log peak requests per hour, requests per active hour, inter-arrival regularity
 * (coefficient of variation of the gaps between consecutive requests), single-turn share,
 * reasoning share, log output/input token ratio, log distinct IPs, distinct-prompt share
 * (distinct prompt texts, or prompt fingerprints in privacy mode, over requests; 1 when
 * neither is shipped), night-time share (requests 00:00–05:59 UTC: no time zone is known per
 * account), mean tools per request, log account age at first request in days. Counts enter
 * as log1p: isolation splits are uniform between min and max, so a raw heavy-tailed count
 * would spend almost every split on its top decile.
 *
 * Threshold: CONTAMINATION = 1 % of accounts flagged (`watch`), the share the volume quota
 * flags per window, so the two single-account baselines get the same review budget; the
 * ranking (ROC, PR, recall at FPR) does not depend on it. No campaigns.
 */
import { asNumbers, asStrings, columnsOf, loadInputs, openDuck } from './duck.js';
import { fitIsolationForest, scoreIsolationForest } from './isolation-forest.js';
import { mulberry32 } from './rng.js';
import { type Baseline, type BaselineInput, type BaselineResult, evidence, verdict } from './verdicts.js';

/** Share of accounts flagged: see header. */
export const CONTAMINATION = 0.01;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Hours (UTC) counted as night. */
const NIGHT_END_HOUR = 6;

export const FEATURES = [
  { name: 'log_requests', what: 'log(1 + requests)' },
  { name: 'log_tokens', what: 'log(1 + input + output tokens)' },
  { name: 'log_peak_hour', what: 'log(1 + requests in the busiest hour)' },
  { name: 'rate_active_hour', what: 'requests per active hour' },
  { name: 'gap_cv', what: 'coefficient of variation of inter-arrival gaps (low = machine-regular)' },
  { name: 'single_turn_share', what: 'share of single-turn requests' },
  { name: 'reasoning_share', what: 'share of requests asking for reasoning' },
  { name: 'log_out_in', what: 'log(1 + output/input tokens)' },
  { name: 'log_ips', what: 'log(1 + distinct IPs)' },
  { name: 'distinct_prompt_share', what: 'distinct prompts / requests' },
  { name: 'night_share', what: 'share of requests 00:00–05:59 UTC' },
  { name: 'tools_mean', what: 'tool definitions per request' },
  { name: 'log_age_days', what: 'log(1 + account age at first request, days)' },
] as const;

export const FEATURES_SQL = `
  WITH e AS (
    SELECT account_id, t_ms, ip, turns, reasoning, tool_count,
      coalesce(input_tokens, 0) AS inp, coalesce(output_tokens, 0) AS outp,
      coalesce(hash(prompt)::VARCHAR, prompt_fingerprint) AS pk,
      t_ms - lag(t_ms) OVER (PARTITION BY account_id ORDER BY t_ms) AS gap
    FROM ex),
  ph AS (SELECT account_id, max(n) AS peak, count(*) AS hours
         FROM (SELECT account_id, count(*) AS n FROM e GROUP BY account_id, t_ms // ${HOUR_MS}) GROUP BY account_id),
  f AS (
    SELECT account_id, count(*) AS n, sum(inp + outp) AS tok, sum(inp) AS inp, sum(outp) AS outp,
      coalesce(stddev_pop(gap) / nullif(avg(gap), 0), 0) AS gap_cv,
      avg(CASE WHEN turns = 1 THEN 1 ELSE 0 END) AS single_turn,
      avg(CASE WHEN reasoning THEN 1 ELSE 0 END) AS reasoning,
      count(DISTINCT ip) AS ips,
      CASE WHEN count(pk) = 0 THEN 1 ELSE count(DISTINCT pk) / count(pk) END AS distinct_prompts,
      avg(CASE WHEN ((t_ms % ${DAY_MS}) // ${HOUR_MS}) < ${NIGHT_END_HOUR} THEN 1 ELSE 0 END) AS night,
      coalesce(avg(tool_count), 0) AS tools, min(t_ms) AS first_ms
    FROM e GROUP BY account_id)
  SELECT a.account_id,
    ln(1 + coalesce(f.n, 0)), ln(1 + coalesce(f.tok, 0)), ln(1 + coalesce(ph.peak, 0)),
    coalesce(f.n / ph.hours, 0), coalesce(f.gap_cv, 0), coalesce(f.single_turn, 0), coalesce(f.reasoning, 0),
    ln(1 + coalesce(f.outp / greatest(f.inp, 1), 0)), ln(1 + coalesce(f.ips, 0)), coalesce(f.distinct_prompts, 0),
    coalesce(f.night, 0), coalesce(f.tools, 0),
    ln(1 + greatest(coalesce((f.first_ms - acc.created_ms) / ${DAY_MS}, 0), 0))
  FROM all_accounts a LEFT JOIN f USING (account_id) LEFT JOIN ph USING (account_id) LEFT JOIN acc USING (account_id)
  ORDER BY a.account_id`;

function median(xs: Float64Array): number {
  const s = Float64Array.from(xs).sort();
  if (s.length === 0) return 0;
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function runAccountAnomaly(
  input: BaselineInput,
  seed: number,
  opts: { contamination?: number } = {},
): Promise<BaselineResult> {
  const contamination = opts.contamination ?? CONTAMINATION;
  const d = await openDuck();
  try {
    await loadInputs(d, input, [
      'ip',
      'turns',
      'reasoning',
      'tool_count',
      'input_tokens',
      'output_tokens',
      'prompt',
      'prompt_fingerprint',
    ]);
    const cols = await columnsOf(d, FEATURES_SQL);
    const ids = asStrings(cols[0]);
    const dims = FEATURES.length;
    const n = ids.length;
    const feats = FEATURES.map((_, k) => asNumbers(cols[1 + k]));
    const data = new Float64Array(n * dims);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < dims; k++) {
        const v = feats[k]![i]!;
        // Rounded to 9 decimals: DuckDB's parallel aggregates (stddev) may differ in the last bits
        // between runs, and a forest must not see that.
        data[i * dims + k] = Number.isFinite(v) ? Math.round(v * 1e9) / 1e9 : 0;
      }
    }
    const forest = fitIsolationForest(data, dims, mulberry32(seed));
    const scores = scoreIsolationForest(forest, data);
    // Threshold: the score of the ceil(contamination·n)-th most anomalous account.
    const sorted = Float64Array.from(scores).sort().reverse();
    const k = Math.max(1, Math.ceil(contamination * n));
    const threshold = sorted[Math.min(k, n) - 1] ?? 1;
    // Explanations: each feature's distance from the population median in MADs.
    const med = feats.map((f) => median(f));
    const mad = feats.map((f, j) => median(f.map((v) => Math.abs(v - med[j]!))) || 1e-9);
    let flagged = 0;
    const verdicts = ids.map((id, i) => {
      const s = scores[i]!;
      const flag = s >= threshold;
      if (flag) flagged++;
      const ev = FEATURES.map((f, j) => {
        const v = data[i * dims + j]!;
        return evidence(
          `anomaly.${f.name}`,
          v,
          med[j]!,
          Math.abs(v - med[j]!) / mad[j]!,
          `${f.what}; baseline: population median`,
        );
      })
        .sort((a, b) => b.weight - a.weight)
        .slice(0, 3);
      ev.unshift(
        evidence(
          'anomaly.isolation_score',
          s,
          threshold,
          Number.MAX_SAFE_INTEGER,
          'isolation-forest anomaly score; baseline: the contamination threshold',
        ),
      );
      return verdict(id, s, flag ? 'watch' : 'clear', null, ev);
    });
    return { verdicts, stats: { accounts: n, threshold: Math.round(threshold * 1e6) / 1e6, flagged } };
  } finally {
    d.close();
  }
}

export const accountAnomaly: Baseline = {
  name: 'isolation-forest',
  method: `isolation forest (100 trees, ψ 256) over ${FEATURES.length} per-account features; top ${CONTAMINATION * 100} % flagged`,
  run: (input, seed) => runAccountAnomaly(input, seed),
};
