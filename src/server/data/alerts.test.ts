import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alertLine } from '../test-support/fixture.js';
import { AlertFeed } from './alerts.js';

const dir = mkdtempSync(join(tmpdir(), 'dg-alerts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('AlertFeed', () => {
  it('takes each line once when polls overlap (the timer and a caller at the same moment)', async () => {
    const path = join(dir, 'alerts.jsonl');
    writeFileSync(path, '');
    const feed = new AlertFeed(path, 60_000);
    appendFileSync(path, alertLine({ account_id: 'org_a' }));
    appendFileSync(path, 'not json\n');
    await Promise.all([feed.poll(), feed.poll(), feed.poll()]);
    expect(feed.recent(10).map((a) => a.account_id)).toEqual(['org_a']);
    expect(feed.badLines).toBe(1);
    feed.close();
  });
});
