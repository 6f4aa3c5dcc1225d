/** The report as a readable table for stdout, one section per heading, "n/a" for undefined numbers. */
import type { ScoreReport } from './report.js';

function fixed(x: number | null, digits = 4): string {
  return x === null ? 'n/a' : x.toFixed(digits);
}

export function pct(x: number | null): string {
  if (x === null) return 'n/a';
  const p = x * 100;
  return `${p >= 10 ? p.toFixed(1) : String(Number(p.toPrecision(2)))}%`;
}

function frac(num: number, den: number): string {
  return `${num} / ${den} = ${den === 0 ? 'n/a' : pct(num / den)}`;
}

/** Milliseconds as "2d 3h", "3h 12m", "4m 10s", "850 ms"; negative keeps its sign. */
export function duration(ms: number | null): string {
  if (ms === null) return 'never';
  if (ms < 0) return `-${duration(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}

/** Columns from `rightFrom` up to (excluding) `leftFrom` are right-aligned (numbers). */
function table(head: string[], rows: string[][], rightFrom = 2, leftFrom = head.length): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const right = (i: number): boolean => i >= rightFrom && i < leftFrom;
  const line = (r: string[]): string =>
    `  ${r.map((c, i) => (right(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  return [line(head), ...rows.map(line)];
}

export function renderReport(r: ScoreReport): string {
  const out: string[] = [];
  const a = r.accounts;
  out.push(`distillguard score (${r.schema})`);
  if (r.notes.length > 0) {
    out.push('', 'Notes');
    for (const n of r.notes) out.push(`  - ${n}`);
  }

  out.push(
    '',
    `Accounts: ${a.labelled} labelled (${a.attack} attack, ${a.legit} genuine), ${a.withVerdict} with a verdict`,
  );
  const v = a.atVerdicts;
  out.push(
    ...table(
      ['metric', 'value', ''],
      [
        ['ROC-AUC (Mann–Whitney U, ties count 1/2)', fixed(a.rocAuc), ''],
        ['PR-AUC (average precision, as scikit-learn)', fixed(a.prAuc), ''],
        [
          'flagged at verdicts (anything but clear)',
          String(v.flagged),
          `TP ${v.tp}  FP ${v.fp}  FN ${v.fn}  TN ${v.tn}`,
        ],
        ['precision at verdicts', fixed(v.precision), ''],
        ['recall at verdicts', fixed(v.recall), ''],
        ['F1 at verdicts', fixed(v.f1), ''],
        ['FPR at verdicts (genuine accounts flagged)', pct(v.fpr), ''],
        ...a.recallAtFpr.map((x) => [
          `recall at FPR ≤ ${pct(x.fprBudget)} (ties kept whole)`,
          fixed(x.recall),
          x.threshold === null
            ? 'flags nothing: the top tied scores already exceed the budget'
            : `score ≥ ${Number(x.threshold.toPrecision(6))}: ${x.truePositives} TP, ${x.falsePositives} FP (FPR ${pct(x.achievedFpr)})`,
        ]),
      ],
      1,
      2,
    ),
  );

  out.push('', 'Per archetype (genuine: false-positive rate; attack: recall)');
  out.push(
    ...table(
      ['label', 'archetype', 'accounts', 'flagged', 'rate', 'mean score', 'no verdict'],
      r.archetypes.map((x) => [
        x.label === 'legit' ? 'genuine' : 'attack',
        x.archetype,
        String(x.accounts),
        String(x.flagged),
        `${x.rateKind === 'fpr' ? 'FPR' : 'recall'} ${pct(x.rate)}`,
        fixed(x.meanScore, 3),
        String(x.missingVerdicts),
      ]),
    ),
  );

  const c = r.campaigns;
  const d = c.detected;
  out.push(
    '',
    `Campaigns (true: labels; detected: ${c.source === 'campaigns_file' ? 'campaigns file' : "verdicts' campaign_id"})`,
    `  true campaigns recovered (≥ ${pct(c.foundShare)} of accounts flagged): ${frac(c.found, c.trueCampaigns)}`,
    ...table(
      ['size (accounts)', 'campaigns', 'found', 'share'],
      c.bySize.map((b) => [b.bucket, String(b.campaigns), String(b.found), pct(b.share)]),
      1,
    ),
    `  detected campaigns: ${d.campaigns}, ${d.memberAccounts} member accounts (${d.attackMembers} attack, ${d.legitMembers} genuine, ${d.unknownMembers} unknown)`,
    `  account precision inside detected campaigns: ${fixed(d.accountPrecision)}`,
    `  purity: ${d.mixedCampaigns} detected campaign(s) mix genuine and attack accounts (${d.genuineInMixed} genuine accounts inside); ${d.mergedCampaigns} merge two or more true campaigns`,
  );

  const x = r.exchanges;
  if (x === null) {
    out.push(
      '',
      'Reseller traffic: not scored (needs --exchanges)',
      '',
      'Live: not scored (needs --alerts and --exchanges)',
    );
  } else {
    const s = x.reseller;
    out.push(
      '',
      `Reseller traffic, per exchange (${s.mixingAccounts} harvest-mixing accounts; flags from ${s.source === 'exchange_verdicts' ? 'exchange verdicts' : 'account verdicts, inherited'})`,
      `  harvest exchanges flagged (recall): ${frac(s.harvestFlagged, s.harvestExchanges)}`,
      `  genuine exchanges flagged:          ${frac(s.genuineFlagged, s.genuineExchanges)}`,
    );
    const l = x.live;
    if (l === null) out.push('', 'Live: not scored (needs --alerts)');
    else {
      out.push(
        '',
        `Live (simulated time; ${l.alerts} alerts: ${l.alertedAttackAccounts} attack and ${l.alertedGenuineAccounts} genuine accounts alerted)`,
        ...table(
          ['campaign', 'accounts', 'alerted', 'to first alert', 'to 50% alerted'],
          l.campaigns.map((k) => [
            k.campaign_id,
            String(k.accounts),
            String(k.accountsAlerted),
            duration(k.toFirstAlertMs),
            duration(k.toHalfAlertedMs),
          ]),
          1,
        ),
        `  exchanges served to attack accounts before their first alert: ${frac(l.servedBeforeAlert, l.attackExchanges)}`,
      );
    }
  }

  if (r.issues.total > 0) {
    out.push('', `Bad input lines: ${r.issues.total} (first ${r.issues.first.length})`);
    for (const i of r.issues.first) out.push(`  ${i.file}:${i.line}  ${i.code}  ${i.reason}`);
  }
  return `${out.join('\n')}\n`;
}
