/**
 * bench/results/quality.md: one table per scenario with the detectors side by side, from the
 * scorer's reports (bench/quality), plus the run's conditions (seed, scale, machine, command).
 */
import type { ScoreReport } from '../../quality/index.js';

export interface DetectorRun {
  name: string;
  method: string;
  seconds: number;
  stats: Record<string, number | string>;
  report: ScoreReport;
}

export interface ScenarioRun {
  scenario: string;
  /** The simulator's one-line description of the scenario. */
  summary: string;
  seed: number;
  scale: number;
  accounts: number;
  attackAccounts: number;
  exchanges: number;
  simSeconds: number;
  detectors: DetectorRun[];
}

export interface RunMeta {
  date: string;
  command: string;
  machine: string;
  tuningSeed: number;
  totalSeconds: number;
  notes: string[];
}

const num = (x: number | null | undefined, digits = 3): string =>
  x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(digits);
const pct = (x: number | null | undefined): string =>
  x === null || x === undefined || Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(1)} %`;

function worstGenuine(r: ScoreReport): string {
  let worst: { a: string; rate: number } | undefined;
  for (const row of r.archetypes) {
    if (row.rateKind !== 'fpr' || row.rate === null) continue;
    if (worst === undefined || row.rate > worst.rate) worst = { a: row.archetype, rate: row.rate };
  }
  if (worst === undefined) return 'n/a';
  return worst.rate === 0 ? '0.0 % (none flagged)' : `${pct(worst.rate)} (${worst.a})`;
}

function recallAt(r: ScoreReport, budget: number): string {
  const x = r.accounts.recallAtFpr.find((q) => q.fprBudget === budget);
  return x === undefined ? 'n/a' : num(x.recall);
}

type Row = [string, (d: DetectorRun) => string];

const ROWS: Row[] = [
  ['ROC-AUC', (d) => num(d.report.accounts.rocAuc)],
  ['PR-AUC', (d) => num(d.report.accounts.prAuc)],
  ['precision at verdicts', (d) => num(d.report.accounts.atVerdicts.precision)],
  ['recall at verdicts', (d) => num(d.report.accounts.atVerdicts.recall)],
  ['F1 at verdicts', (d) => num(d.report.accounts.atVerdicts.f1)],
  [
    'flagged (TP / FP)',
    (d) =>
      `${d.report.accounts.atVerdicts.flagged} (${d.report.accounts.atVerdicts.tp} / ${d.report.accounts.atVerdicts.fp})`,
  ],
  ['FPR at verdicts', (d) => pct(d.report.accounts.atVerdicts.fpr)],
  ['recall at FPR 0.1 %', (d) => recallAt(d.report, 0.001)],
  ['recall at FPR 1 %', (d) => recallAt(d.report, 0.01)],
  ['worst genuine-archetype FPR', (d) => worstGenuine(d.report)],
  [
    'true campaigns found (≥ 80 % flagged)',
    (d) => `${d.report.campaigns.found} / ${d.report.campaigns.trueCampaigns}`,
  ],
  ['detected campaigns', (d) => String(d.report.campaigns.detected.campaigns)],
  ['campaign account precision', (d) => num(d.report.campaigns.detected.accountPrecision)],
  [
    'purity: mixed campaigns / genuine in them / merged',
    (d) => {
      const x = d.report.campaigns.detected;
      return `${x.mixedCampaigns} / ${x.genuineInMixed} / ${x.mergedCampaigns}`;
    },
  ],
  ['harvest-exchange recall', (d) => pct(d.report.exchanges?.reseller.harvestRecall)],
  ['genuine reseller exchanges flagged', (d) => pct(d.report.exchanges?.reseller.genuineFlaggedShare)],
  [
    'detector run time (s; baselines incl. reading the JSONL, distillguard the hunt on its store; scoring excluded)',
    (d) => d.seconds.toFixed(1),
  ],
];

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function scenarioSection(s: ScenarioRun): string {
  const out: string[] = [];
  out.push(`## ${s.scenario}`);
  out.push('');
  if (s.summary !== '') out.push(`Scenario: ${s.summary}.`, '');
  out.push(
    `Seed ${s.seed}, scale ${s.scale}: ${s.accounts} accounts (${s.attackAccounts} attack), ${s.exchanges} exchanges; simulated in ${s.simSeconds.toFixed(1)} s.`,
  );
  out.push('');
  const names = s.detectors.map((d) => d.name);
  out.push(
    table(
      ['metric', ...names],
      ROWS.map(([label, f]) => [label, ...s.detectors.map(f)]),
    ),
  );
  out.push('');
  // Recall (attack) and FPR (genuine) per archetype, detectors side by side.
  const first = s.detectors[0];
  if (first !== undefined) {
    const rows = first.report.archetypes.map((a) => [
      `${a.archetype} (${a.label === 'attack' ? 'recall' : 'FPR'}, ${a.accounts})`,
      ...s.detectors.map((d) => {
        const r = d.report.archetypes.find((x) => x.archetype === a.archetype && x.label === a.label);
        return r === undefined ? 'n/a' : pct(r.rate);
      }),
    ]);
    out.push('<details><summary>per archetype: share flagged (accounts)</summary>');
    out.push('');
    out.push(table(['archetype', ...names], rows));
    out.push('');
    out.push('</details>');
    out.push('');
  }
  out.push(
    `Detector internals: ${s.detectors
      .map(
        (d) =>
          `${d.name}: ${Object.entries(d.stats)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
      )
      .join('; ')}.`,
  );
  out.push('');
  return out.join('\n');
}

function recallAtNum(r: ScoreReport, budget: number): number | null {
  return r.accounts.recallAtFpr.find((q) => q.fprBudget === budget)?.recall ?? null;
}

/** The issue's quality goals for the first detector (distillguard), scenario by scenario. */
function goalsSection(runs: readonly ScenarioRun[]): string {
  const rows: string[][] = [];
  const ok = (b: boolean | null) => (b === null ? 'n/a' : b ? 'met' : '**not met**');
  for (const s of runs) {
    const d = s.detectors[0];
    if (d === undefined) continue;
    const r = d.report;
    const rec = recallAtNum(r, 0.001);
    const privacy = s.scenario === 'privacy' || s.scenario.endsWith('-privacy');
    const goal = privacy ? 0.9 : 0.97;
    rows.push([
      s.scenario,
      `recall at FPR ≤ 0.1 % ≥ ${goal}`,
      num(rec),
      ok(rec === null ? null : rec >= goal),
    ]);
    let worst = 0;
    let worstName = 'none';
    for (const a of r.archetypes)
      if (a.rateKind === 'fpr' && a.rate !== null && a.rate > worst) {
        worst = a.rate;
        worstName = a.archetype;
      }
    rows.push([
      s.scenario,
      'every genuine archetype FPR ≤ 1 % (at verdicts)',
      `${pct(worst)} (${worstName})`,
      ok(worst <= 0.01),
    ]);
    const big = r.campaigns.bySize.filter((b) => b.min >= 20);
    const bigTotal = big.reduce((x, b) => x + b.campaigns, 0);
    const bigFound = big.reduce((x, b) => x + b.found, 0);
    rows.push([
      s.scenario,
      'all campaigns of ≥ 20 accounts found',
      `${bigFound} / ${bigTotal}`,
      ok(bigTotal === 0 ? null : bigFound === bigTotal),
    ]);
    const prec = r.campaigns.detected.accountPrecision;
    rows.push([
      s.scenario,
      '≥ 99 % of accounts in flagged campaigns are attackers',
      num(prec),
      ok(prec === null ? null : prec >= 0.99),
    ]);
    const rs = r.exchanges?.reseller;
    if (rs !== undefined && rs.harvestExchanges > 0)
      rows.push([
        s.scenario,
        '≥ 95 % of harvest exchanges flagged at ≤ 1 % of genuine ones',
        `${pct(rs.harvestRecall)} at ${pct(rs.genuineFlaggedShare)}`,
        ok(
          rs.harvestRecall !== null && rs.genuineFlaggedShare !== null
            ? rs.harvestRecall >= 0.95 && rs.genuineFlaggedShare <= 0.01
            : null,
        ),
      ]);
    const others = s.detectors
      .slice(1)
      .map((b) => ({ name: b.name, rec: recallAtNum(b.report, 0.001) ?? 0 }));
    const best = others.reduce((m, b) => (b.rec > m.rec ? b : m), { name: 'none', rec: 0 });
    // Recall cannot exceed 1: against a baseline above 0.5 the goal reads "at least as high".
    const doubled =
      rec === null ? null : others.every((b) => (b.rec <= 0.5 ? rec >= 2 * b.rec : rec >= b.rec));
    rows.push([
      s.scenario,
      '≥ 2× each baseline’s recall at FPR ≤ 0.1 % (≥ when a baseline is above 0.5)',
      `${num(rec)} vs best baseline ${num(best.rec)} (${best.name})`,
      ok(doubled),
    ]);
  }
  return [
    '## Goals (issue 4) for distillguard',
    '',
    'Recall cannot exceed 1, so against a baseline whose recall is above 0.5 the "2×" row asks for at least the same recall. Harvest exchanges are judged one by one only when prompt text is stored; otherwise every exchange keeps its account’s verdict.',
    '',
    table(['scenario', 'goal', 'measured', ''], rows),
    '',
  ].join('\n');
}

export function renderQualityMarkdown(
  meta: RunMeta,
  runs: readonly ScenarioRun[],
  methods: readonly { name: string; method: string }[],
): string {
  const out: string[] = [];
  out.push('# Quality benchmark: distillguard hunt and the baselines');
  out.push('');
  out.push(
    'distillguard’s own detector (`hunt`, docs/detection.md: the exchanges, accounts and releases files ingested into DuckDB, never the labels) beside published or deployed methods (bench/baselines/, each file names its paper), all run on the simulator’s files and scored by `distillguard score`’s library against the ground truth (docs/scoring.md). “Flagged” = any verdict other than `clear`.',
  );
  out.push('');
  out.push(`- Date: ${meta.date}`);
  out.push(`- Command: \`${meta.command}\``);
  out.push(`- Machine: ${meta.machine}`);
  out.push(
    `- Seeds: reporting seed ${runs[0]?.seed ?? 'n/a'}; parameters were chosen and checked on tuning seed ${meta.tuningSeed} only, never on the reporting seed.`,
  );
  out.push(`- Total run time: ${meta.totalSeconds.toFixed(0)} s (simulation, detectors and scoring)`);
  out.push('');
  out.push('Detectors:');
  out.push('');
  for (const m of methods) out.push(`- **${m.name}**: ${m.method}`);
  out.push('');
  for (const n of meta.notes) out.push(`${n}`);
  if (meta.notes.length > 0) out.push('');
  if (runs[0]?.detectors[0]?.name === 'distillguard') out.push(goalsSection(runs));
  for (const s of runs) out.push(scenarioSection(s));
  return out.join('\n');
}
