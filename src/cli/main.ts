/**
 * The `distillguard` command. Each sub-command lives in its own file and registers itself
 * here; this file only turns errors into clear messages and exit codes:
 *   0 done · 1 unexpected failure (a bug: the stack is printed) · 2 bad usage or unreadable input.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { FormatError } from '../formats/index.js';
import { registerDemo } from './demo.js';
import { registerGateway } from './gateway.js';
import { registerHunt } from './hunt.js';
import { registerIngest } from './ingest.js';
import { registerScore } from './score.js';
import { registerServe } from './serve.js';
import { registerSimulate } from './simulate.js';
import { UsageError } from './usage-error.js';
import { registerWatch } from './watch.js';

function packageVersion(): string {
  const url = new URL('../../../package.json', import.meta.url);
  try {
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export function buildProgram(): Command {
  const program = new Command('distillguard')
    .description('Find, explain, attribute and stop distillation attacks on an LLM API.')
    .addHelpText(
      'after',
      [
        '',
        'A first session:',
        '  distillguard demo                                         simulate + ingest the demo scenario',
        '  distillguard simulate --scenario demo --seed 7 --out data/',
        '  distillguard ingest data/*.jsonl --db dg.duckdb           load logs into the store',
        '  distillguard score --labels data/labels.jsonl --verdicts verdicts.jsonl',
        '',
        'Formats: docs/formats.md. Each command has its own --help.',
      ].join('\n'),
    )
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerSimulate(program);
  registerIngest(program);
  registerHunt(program);
  registerDemo(program);
  registerScore(program);
  registerServe(program);
  registerWatch(program);
  registerGateway(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit through here with code 0; commander has printed the message
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof FormatError || err instanceof UsageError) {
      process.stderr.write(`distillguard: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(
      `distillguard: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  }
}
