/** Helpers of the command tests: run one sub-command in-process, read a JSON Lines output. */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { vi } from 'vitest';

/** Runs `args` (starting with the sub-command) with only `register`'s command defined; captures
 * stdout and returns the error the command threw, if any. */
export async function runCommand(
  register: (p: Command) => void,
  args: string[],
): Promise<{ out: string; err: unknown }> {
  const p = new Command('distillguard').exitOverride();
  p.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  register(p);
  let out = '';
  const w = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  try {
    await p.parseAsync(['node', 'dg', ...args], { from: 'node' });
    return { out, err: undefined };
  } catch (err) {
    return { out, err };
  } finally {
    w.mockRestore();
  }
}

export const jsonLines = (path: string): unknown[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);
