import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { defaultRejectsPath, registerIngest } from './ingest.js';

const dir = mkdtempSync(join(tmpdir(), 'dg-cli-ingest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

function run(args: string[]): Promise<Command> {
  const program = new Command('distillguard').exitOverride();
  registerIngest(program);
  return program.parseAsync(['ingest', ...args], { from: 'user' });
}

function capture(): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  return { out: () => out, err: () => err };
}

describe('distillguard ingest', () => {
  it('loads files, prints a reconciled summary and says where the rejects went', async () => {
    const exchanges = join(dir, 'exchanges.jsonl');
    writeFileSync(
      exchanges,
      `${[
        '{"ts":"2026-10-01T00:00:00Z","account_id":"a","ip":"192.0.2.1","request_id":"r1"}',
        '{"ts":"2026-10-01T00:00:01Z","account_id":"a","ip":"bad","request_id":"r2"}',
        '{"ts":"2026-10-01T00:00:00Z","account_id":"a","ip":"192.0.2.1","request_id":"r1"}',
      ].join('\n')}\n`,
    );
    const db = join(dir, 'store.duckdb');
    const io = capture();
    await run([exchanges, '--db', db]);
    const out = io.out();
    expect(out).toMatch(
      /file\s+kind\s+read\s+accepted\s+rejected\s+duplicates\s+repaired\s+seconds\s+records\/s/,
    );
    expect(out).toMatch(/exchanges\s+3\s+1\s+1\s+1\s+0/);
    expect(out).toContain(defaultRejectsPath(db));
    expect(out).toContain('now holds 1 exchanges');
    const rejects = readFileSync(defaultRejectsPath(db), 'utf8').trim().split('\n');
    expect(rejects).toHaveLength(1);
    expect(JSON.parse(rejects[0] ?? '{}')).toMatchObject({ line: 2, code: 'bad_ip', action: 'rejected' });
    expect(existsSync(db)).toBe(true);
  });

  it('refuses a missing file with a FormatError (main turns it into a message and exit 2)', async () => {
    capture();
    await expect(
      run([join(dir, 'exchanges-none.jsonl'), '--db', join(dir, 'x.duckdb')]),
    ).rejects.toMatchObject({
      name: 'FormatError',
      code: 'file_not_found',
    });
  });

  it('turns a store that cannot be opened into a FormatError', async () => {
    capture();
    const notADb = join(dir, 'not-a-db.duckdb');
    writeFileSync(notADb, 'plain text, not a database\n');
    const input = join(dir, 'exchanges-x.jsonl');
    writeFileSync(input, '{"ts":0,"account_id":"a","ip":"192.0.2.1"}\n');
    await expect(run([input, '--db', notADb])).rejects.toMatchObject({
      name: 'FormatError',
      code: 'unreadable',
    });
  });

  it('rejects an unknown --kind', async () => {
    capture();
    await expect(run(['x.jsonl', '--kind', 'users'])).rejects.toMatchObject({
      code: 'commander.invalidArgument',
    });
  });

  it('has a --help that teaches', async () => {
    const io = capture();
    await expect(run(['--help'])).rejects.toMatchObject({ exitCode: 0 });
    expect(io.out()).toContain('read = accepted + rejected + duplicates');
    expect(io.out()).toContain('--rejects <file>');
  });
});
