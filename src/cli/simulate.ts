/**
 * `distillguard simulate`: synthetic API traffic with ground truth (sim/), for trying the
 * detector, testing and benchmarking. Bad flags stop with a UsageError (exit 2).
 */
import type { Command } from 'commander';
import { ARCHETYPES, SCENARIOS, SimulateError, type SimulateSummary, simulate } from '../../sim/index.js';
import { createProgress } from './progress.js';
import { UsageError } from './usage-error.js';

interface SimulateFlags {
  scenario: string;
  seed: string;
  out: string;
  scale: string;
  gzip?: boolean;
  quiet?: boolean;
}

function helpText(): string {
  const w = Math.max(...SCENARIOS.map((s) => s.name.length));
  const scen = SCENARIOS.map((s) => `  ${s.name.padEnd(w)}  ${s.summary}`).join('\n');
  const aw = Math.max(...ARCHETYPES.map((a) => a.name.length));
  const arch = ARCHETYPES.map(
    (a) => `  ${a.label === 'attack' ? 'attack' : 'legit '}  ${a.name.padEnd(aw)}  ${a.summary}`,
  ).join('\n');
  return `
Scenarios:
${scen}

Archetypes (labels.jsonl names them; parameters and sources in sim/README.md):
${arch}

Output (formats.md v1): exchanges.jsonl in time order, accounts.jsonl, releases.jsonl,
labels.jsonl ({account_id, label, campaign_id, archetype}); with --gzip each ends in .jsonl.gz.
The same --seed always gives the same bytes; --scale shrinks or grows accounts and volume.

Examples:
  distillguard simulate --scenario demo --seed 7 --out data/
  distillguard simulate --scenario reported-2026 --scale 0.1 --seed 1 --out big/ --gzip
`;
}

function parseFlags(f: SimulateFlags): { seed: number; scale: number } {
  if (!/^\d+$/.test(f.seed))
    throw new UsageError('bad_option', `--seed must be a non-negative integer, got "${f.seed}"`);
  const seed = Number(f.seed);
  if (!Number.isSafeInteger(seed)) throw new UsageError('bad_option', `--seed is too large: ${f.seed}`);
  const scale = Number(f.scale);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 100) {
    throw new UsageError('bad_option', `--scale must be a number in (0, 100], got "${f.scale}"`);
  }
  if (!SCENARIOS.some((s) => s.name === f.scenario)) {
    throw new UsageError(
      'bad_option',
      `unknown scenario "${f.scenario}"; valid scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  }
  return { seed, scale };
}

export function formatSummary(s: SimulateSummary): string {
  const w = Math.max(...s.archetypes.map((a) => a.archetype.length), 9);
  const rows = s.archetypes.map(
    (a) =>
      `  ${a.label === 'attack' ? 'attack' : 'legit '}  ${a.archetype.padEnd(w)}  ${String(a.accounts).padStart(9)}  ${String(a.exchanges).padStart(11)}`,
  );
  return [
    `scenario ${s.scenario}, seed ${s.seed}, scale ${s.scale}${s.privacy ? ', privacy (no raw text)' : ''}; period ${s.period.start} .. ${s.period.end}`,
    `  label   ${'archetype'.padEnd(w)}  ${'accounts'.padStart(9)}  ${'exchanges'.padStart(11)}`,
    ...rows,
    `  total   ${''.padEnd(w)}  ${String(s.accounts).padStart(9)}  ${String(s.exchanges).padStart(11)}`,
    `attack: ${s.attackAccounts} accounts, ${s.attackExchanges} exchanges (${s.harvestExchanges} flagged harvest in reseller traffic)`,
    `${s.exchanges} exchanges in ${s.seconds.toFixed(2)} s = ${Math.round(s.exchangesPerSecond)} exchanges/s`,
    `wrote ${s.files.join(', ')}`,
  ].join('\n');
}

/** Adds the `simulate` command to the program. */
export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(
      'write synthetic LLM API traffic with ground-truth labels (genuine users and distillation campaigns)',
    )
    .requiredOption('--scenario <name>', `scenario: ${SCENARIOS.map((s) => s.name).join(' | ')}`)
    .requiredOption('--out <dir>', 'output directory (created if missing)')
    .option('--seed <n>', 'random seed: the same seed gives the same bytes', '1')
    .option('--scale <x>', 'multiply accounts and volume (e.g. 0.1)', '1')
    .option('--gzip', 'write .jsonl.gz files')
    .option('--quiet', 'no progress on stderr')
    .addHelpText('after', helpText())
    .action(async (flags: SimulateFlags) => {
      const { seed, scale } = parseFlags(flags);
      const bar = createProgress({
        label: 'simulate',
        total: 100,
        show: (p) => `${p}%`,
        quiet: flags.quiet === true,
      });
      const started = performance.now();
      let summary: SimulateSummary;
      try {
        summary = await simulate({
          scenario: flags.scenario,
          seed,
          scale,
          out: flags.out,
          gzip: flags.gzip === true,
          onProgress: (p) => {
            const eps = Math.round(p.exchanges / ((performance.now() - started) / 1000));
            bar.update(
              Math.round(p.fraction * 100),
              `${p.exchanges.toLocaleString('en-US')} exchanges, ${eps.toLocaleString('en-US')}/s`,
            );
          },
        });
      } catch (err) {
        bar.stop();
        if (err instanceof SimulateError) throw new UsageError('bad_option', err.message);
        throw err;
      }
      bar.stop();
      process.stdout.write(`${formatSummary(summary)}\n`);
    });
}
