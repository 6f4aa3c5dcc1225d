/**
 * `distillguard score`: scores a detector's outputs against the simulator's ground truth
 * (the quality benchmark, bench/quality/; metric definitions in docs/scoring.md). Prints a
 * table on stdout and, with --json, writes every number.
 *
 * Files that do not describe the same accounts stop the command (exit 2) with a ScoreError
 * turned into a UsageError('conflict') whose `cause` keeps the ScoreError and its code.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  renderReport,
  reportJson,
  ScoreError,
  type ScoreReport,
  scoreFiles,
} from '../../bench/quality/index.js';
import { UsageError } from './usage-error.js';

interface ScoreFlags {
  labels: string;
  verdicts: string;
  campaigns?: string;
  alerts?: string;
  exchanges?: string;
  exchangeVerdicts?: string;
  json?: string;
  allowUnknown?: boolean;
}

const HELP = `
Sections: accounts (ROC-AUC, PR-AUC, precision/recall/F1 at the verdicts, recall at
FPR 0.1 % and 1 %), per archetype (FPR of each genuine archetype, recall of each attack
one), campaigns (true campaigns recovered, by size; precision and purity of detected
campaigns), reseller traffic per exchange (needs --exchanges) and live time-to-alert
(needs --alerts and --exchanges). Definitions and the JSON schema: docs/scoring.md.

A labelled account with no verdict counts as score 0 / clear (the output says how many).
Verdicts, campaigns or alerts naming accounts absent from labels stop the command unless
--allow-unknown, which counts and ignores them.

Examples:
  distillguard simulate --scenario demo --seed 7 --out data/
  distillguard score --labels data/labels.jsonl --verdicts out/verdicts.jsonl
  distillguard score --labels data/labels.jsonl --verdicts out/verdicts.jsonl \\
      --alerts out/alerts.jsonl --exchanges data/exchanges.jsonl --json score.json

Exit status: 0 scored, 2 a file is missing or unreadable, a flag is wrong, or the files
disagree (duplicate or unknown accounts, an empty verdicts file).`;

function checkFlags(f: ScoreFlags): void {
  if (f.alerts !== undefined && f.exchanges === undefined) {
    throw new UsageError(
      'missing_argument',
      '--alerts needs --exchanges (time to alert is measured from exchanges)',
    );
  }
  if (f.exchangeVerdicts !== undefined && f.exchanges === undefined) {
    throw new UsageError('missing_argument', '--exchange-verdicts needs --exchanges');
  }
}

/** Runs the scoring and returns the report (printing is the action's job). */
export async function runScore(f: ScoreFlags): Promise<ScoreReport> {
  checkFlags(f);
  try {
    return await scoreFiles({
      labels: f.labels,
      verdicts: f.verdicts,
      campaigns: f.campaigns,
      alerts: f.alerts,
      exchanges: f.exchanges,
      exchangeVerdicts: f.exchangeVerdicts,
      allowUnknown: f.allowUnknown === true,
    });
  } catch (err) {
    if (err instanceof ScoreError) {
      const u = new UsageError('conflict', `${err.message} [${err.code}]`);
      u.cause = err;
      throw u;
    }
    throw err;
  }
}

/** Adds the `score` command to the program. */
export function registerScore(program: Command): void {
  program
    .command('score')
    .description("score a detector's verdicts against simulator ground truth (the quality benchmark)")
    .requiredOption('--labels <file>', 'ground truth: labels.jsonl from `distillguard simulate`')
    .requiredOption('--verdicts <file>', "the detector's verdicts.jsonl (one line per account)")
    .option(
      '--campaigns <file>',
      "the detector's campaigns.jsonl (else campaigns come from verdicts' campaign_id)",
    )
    .option('--alerts <file>', "the detector's alerts.jsonl (streaming mode; needs --exchanges)")
    .option('--exchanges <file>', 'exchanges.jsonl of the same simulation (reseller and live sections)')
    .option('--exchange-verdicts <file>', 'per-exchange or per-end-user verdicts (docs/scoring.md)')
    .option('--json <file>', 'write every number as JSON (schema in docs/scoring.md)')
    .option('--allow-unknown', 'count and ignore accounts absent from labels instead of failing')
    .addHelpText('after', HELP)
    .action(async (flags: ScoreFlags) => {
      const report = await runScore(flags);
      process.stdout.write(renderReport(report));
      if (flags.json !== undefined) {
        try {
          writeFileSync(flags.json, `${JSON.stringify(reportJson(report), null, 2)}\n`);
        } catch (err) {
          throw new UsageError(
            'bad_option',
            `--json ${flags.json}: cannot write (${(err as Error).message})`,
          );
        }
        process.stdout.write(`wrote ${flags.json}\n`);
      }
    });
}
