import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { campaign, verdict } from './test-support/records.js';
import { until } from './test-support/state-contract.js';
import { VerdictBook } from './verdict-book.js';
import { HuntDirFeed, parseUpdates } from './verdict-feed.js';

const jsonl = (rows: unknown[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;

describe('HuntDirFeed', () => {
  it('loads verdicts and campaigns, counts bad lines, reloads when the files change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-hunt-'));
    writeFileSync(join(dir, 'verdicts.jsonl'), `${jsonl([verdict('a1', 'block', 'dgc-1')])}{"broken": \n`);
    writeFileSync(join(dir, 'campaigns.jsonl'), jsonl([campaign('dgc-1', ['a1', 'a2'])]));
    const book = new VerdictBook();
    const feed = new HuntDirFeed(dir, { pollMs: 50 });
    await feed.start({ replace: (v, c) => book.replace(v, c) });
    expect(feed.healthy()).toBe(true);
    expect(feed.stats()).toMatchObject({ loads: 1, verdicts: 1, campaigns: 1, bad_lines: 1 });
    expect(book.campaignVerdict('dgc-1')).toBe('block');
    writeFileSync(
      join(dir, 'verdicts.jsonl'),
      jsonl([verdict('a1', 'throttle', 'dgc-1'), verdict('a3', 'watch')]),
    );
    await until(() => book.account('a3') !== undefined);
    expect(book.campaignVerdict('dgc-1')).toBe('throttle');
    rmSync(join(dir, 'verdicts.jsonl'));
    await until(() => !feed.healthy());
    await feed.close();
  });

  it('is unhealthy (not an exception) when the directory has no verdicts', async () => {
    const feed = new HuntDirFeed(join(tmpdir(), 'dg-no-such-dir-x'));
    await feed.start({ replace: () => {} });
    expect(feed.healthy()).toBe(false);
    await feed.close();
  });
});

describe('parseUpdates', () => {
  it('tells verdicts, campaigns and alerts apart, by envelope or by shape, and reports bad lines', () => {
    const text = [
      JSON.stringify(verdict('a1', 'block')),
      JSON.stringify({ ...verdict('a2', 'throttle'), ts: '2026-11-01T00:00:00.000Z' }),
      JSON.stringify(campaign('dgc-9', ['a1'])),
      JSON.stringify({ kind: 'verdict', record: verdict('a4', 'watch') }),
      '{"account_id": "a5", "verdict": "maybe"}',
      'garbage',
    ].join('\n');
    const { updates, issues } = parseUpdates(text);
    expect(updates.map((u) => u.kind)).toEqual(['verdict', 'alert', 'campaign', 'verdict']);
    expect(issues.map((i) => i.line)).toEqual([5, 6]);
  });
});
