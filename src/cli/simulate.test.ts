import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { SCENARIO_NAMES } from '../../sim/index.js';
import { registerSimulate } from './simulate.js';
import { UsageError } from './usage-error.js';

const dir = mkdtempSync(join(tmpdir(), 'dg-cli-sim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function program(): Command {
  const p = new Command('distillguard').exitOverride();
  p.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  registerSimulate(p);
  return p;
}

describe('distillguard simulate', () => {
  it('rejects an unknown scenario, naming the valid ones', async () => {
    const err = await program()
      .parseAsync(['node', 'dg', 'simulate', '--scenario', 'nope', '--out', dir], { from: 'node' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).code).toBe('bad_option');
    expect((err as Error).message).toContain('reported-2026');
  });

  it('rejects a bad scale and a bad seed', async () => {
    for (const args of [
      ['--scale', '0'],
      ['--scale', 'x'],
      ['--seed', '-1'],
      ['--seed', '1.5'],
    ]) {
      const err = await program()
        .parseAsync(['node', 'dg', 'simulate', '--scenario', 'demo', '--out', dir, ...args], { from: 'node' })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
    }
  });

  it('teaches in --help: every scenario with one line', () => {
    const p = program();
    const sim = p.commands.find((c) => c.name() === 'simulate');
    let help = '';
    sim?.configureOutput({ writeOut: (s) => (help += s) });
    sim?.outputHelp();
    for (const s of SCENARIO_NAMES) expect(help).toContain(s);
  });

  it('writes the four files and a summary', async () => {
    const out = join(dir, 'run');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await program().parseAsync(
        [
          'node',
          'dg',
          'simulate',
          '--scenario',
          'mixed-reseller',
          '--seed',
          '3',
          '--scale',
          '0.01',
          '--out',
          out,
        ],
        { from: 'node' },
      );
    } finally {
      write.mockRestore();
      err.mockRestore();
    }
    expect(readdirSync(out).sort()).toEqual([
      'accounts.jsonl',
      'exchanges.jsonl',
      'labels.jsonl',
      'releases.jsonl',
    ]);
  });
});
