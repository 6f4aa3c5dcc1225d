/** `distillguard serve` flag checks and the first-admin path that stop before a server starts. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { UserDirectory } from '../server/index.js';
import { registerServe } from './serve.js';
import { UsageError } from './usage-error.js';

const dir = mkdtempSync(join(tmpdir(), 'dg-cli-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, 'x.duckdb');
writeFileSync(db, '');

async function run(args: string[]): Promise<unknown> {
  const p = new Command('distillguard').exitOverride();
  p.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  registerServe(p);
  try {
    await p.parseAsync(['node', 'dg', 'serve', ...args], { from: 'node' });
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('distillguard serve', () => {
  it('refuses a missing database, a bad port, size or origin with a usage error', async () => {
    for (const args of [
      ['--db', join(dir, 'none.duckdb')],
      ['--db', db, '--port', '70000'],
      ['--db', db, '--memory-limit', 'lots'],
      ['--db', db, '--allowed-origin', 'https://x.example/path'],
    ]) {
      const err = await run(args);
      expect(err, args.join(' ')).toBeInstanceOf(UsageError);
    }
  });

  it('without users, says how to create the first admin; --init-admin refuses when users exist', async () => {
    const none = await run(['--db', db]);
    expect(none).toBeInstanceOf(UsageError);
    expect((none as UsageError).code).toBe('missing_argument');
    expect((none as Error).message).toContain('--init-admin');
    const users = join(dir, 'users.json');
    await UserDirectory.empty(users).addUser('root', 'admin', 'a-long-enough-password');
    const again = await run(['--db', db, '--users', users, '--init-admin']);
    expect(again).toBeInstanceOf(UsageError);
    expect((again as UsageError).code).toBe('conflict');
  });

  it('--init-admin creates the admin before anything else; a directory without hunt output is a usage error', async () => {
    const users = join(dir, 'fresh-users.json');
    const err = await run(['--db', db, '--users', users, '--init-admin', 'alice', '--findings', dir]);
    // `dir` holds no verdicts.jsonl: the server refuses it, after the users file was written.
    expect(err).toBeInstanceOf(UsageError);
    const dirUsers = await UserDirectory.load(users);
    expect(dirUsers.users().map((u) => [u.name, u.role])).toEqual([['alice', 'admin']]);
  });
});
