/** The journal (hash chain, state, feedback), the users file and the alert feed, without a store. */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFeedback } from '../feedback/index.js';
import { hashPassword, verifyPassword } from './auth/passwords.js';
import { SESSION_IDLE_MS, SessionStore } from './auth/sessions.js';
import { UserDirectory } from './auth/users.js';
import { AlertFeed } from './data/alerts.js';
import { ServeConfigError } from './errors.js';
import { Journal } from './journal.js';
import { alertLine } from './test-support/fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'dg-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const alice = { name: 'alice', role: 'analyst' as const, via: 'session' as const };

describe('journal', () => {
  it('replays to the same state, writes feedback.json, and detects an edited line', async () => {
    const path = join(dir, 'analyst.jsonl');
    const fbPath = join(dir, 'feedback.json');
    const j = await Journal.open(path, fbPath);
    const snap = { accounts: ['a1', 'a2'], indicators: { ip: ['198.51.100.7'] } };
    await j.record(
      alice,
      { kind: 'campaign', id: 'c1' },
      { field: 'status', value: 'dismissed' },
      'NAT of a university',
      snap,
    );
    await j.record(
      alice,
      { kind: 'account', id: 'a1' },
      { field: 'trust', value: 'known_customer' },
      'contract',
    );
    const e = await j.record(
      alice,
      { kind: 'account', id: 'a1' },
      { field: 'trust', value: null },
      'contract ended',
    );
    expect(e.previous).toBe('known_customer');
    const again = await Journal.open(path, null);
    expect(again.decisions({ kind: 'campaign', id: 'c1' }).status).toBe('dismissed');
    expect(again.decisions({ kind: 'account', id: 'a1' }).trust).toBeNull();
    expect(again.audit({}, 10, 0).total).toBe(3);
    const fb = await loadFeedback(fbPath);
    expect(fb.status).toBe('loaded');
    if (fb.status === 'loaded') {
      expect(fb.feedback.isDismissed({ kind: 'ip', value: '198.51.100.7' })).toBe(true);
      expect(fb.feedback.file.accounts.a1).toBeUndefined();
    }
    expect(statSync(path).mode & 0o777).toBe(0o600);

    const lines = readFileSync(path, 'utf8').split('\n');
    writeFileSync(
      path,
      lines.map((l, i) => (i === 0 ? l.replace('NAT of a university', 'NAT') : l)).join('\n'),
    );
    await expect(Journal.open(path, null)).rejects.toBeInstanceOf(ServeConfigError);
    writeFileSync(path, [lines[0], lines[2]].join('\n'));
    await expect(Journal.open(path, null)).rejects.toThrow(/hash chain/);
  });

  it('drops a torn last line (a crash mid-append) and goes on', async () => {
    const path = join(dir, 'torn.jsonl');
    const j = await Journal.open(path, null);
    await j.record(alice, { kind: 'account', id: 'a9' }, { field: 'action', value: 'block' }, 'harvests');
    appendFileSync(path, '{"seq":2,"ts":"2026');
    const k = await Journal.open(path, null);
    expect(k.decisions({ kind: 'account', id: 'a9' }).action).toBe('block');
  });
});

describe('users and sessions', () => {
  it('hashes with scrypt, verifies, and persists users and tokens with mode 0600', async () => {
    const h = await hashPassword('correct horse battery');
    expect(h).toMatch(/^scrypt\$\d+\$8\$1\$/);
    expect(await verifyPassword('correct horse battery', h)).toBe(true);
    expect(await verifyPassword('correct horse batterY', h)).toBe(false);
    const path = join(dir, 'users.json');
    const u = UserDirectory.empty(path);
    const pw = await u.addUser('bob', 'viewer');
    const { token } = await u.addToken('ci', 'analyst', 'bob');
    const back = await UserDirectory.load(path);
    expect(await back.verifyLogin('bob', pw)).toEqual({ name: 'bob', role: 'viewer' });
    expect(await back.verifyLogin('bob', 'nope-nope-nope')).toBeNull();
    expect(back.verifyToken(token)?.role).toBe('analyst');
    expect(back.verifyToken(`${token.slice(0, -1)}x`)).toBeNull();
    expect(readFileSync(path, 'utf8')).not.toContain(pw);
    expect(readFileSync(path, 'utf8')).not.toContain(token.slice(13));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await expect(UserDirectory.load(join(dir, 'none.json'))).rejects.toMatchObject({ code: 'no_users' });
  });

  it('ends idle sessions', () => {
    let t = 0;
    const s = new SessionStore(() => t);
    const a = s.create('bob', 'viewer');
    t += SESSION_IDLE_MS - 1;
    expect(s.get(a.id)?.name).toBe('bob');
    t += SESSION_IDLE_MS + 1;
    expect(s.get(a.id)).toBeNull();
  });
});

describe('alert feed', () => {
  it('follows the file, skips bad lines, and starts over when the file is truncated', async () => {
    const path = join(dir, 'alerts.jsonl');
    const feed = new AlertFeed(path, 60_000);
    await feed.start();
    expect(feed.recent(10)).toEqual([]);
    const got: string[] = [];
    feed.subscribe((a) => got.push(a.account_id));
    writeFileSync(
      path,
      `${alertLine({ account_id: 'a1' })}{"broken"\n${alertLine({ account_id: 'a2' }).slice(0, 20)}`,
    );
    await feed.poll();
    expect(got).toEqual(['a1']);
    appendFileSync(path, alertLine({ account_id: 'a2' }).slice(20));
    await feed.poll();
    expect(got).toEqual(['a1', 'a2']);
    expect(feed.badLines).toBe(1);
    writeFileSync(path, alertLine({ account_id: 'a3' }));
    await feed.poll();
    expect(feed.recent(1)[0]?.account_id).toBe('a3');
    feed.close();
  });
});
