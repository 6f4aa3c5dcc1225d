/**
 * The live loop end to end, in one process: clients call the gateway; the gateway captures
 * each exchange and sends it to `watch`'s intake; `watch` alerts when the account harvests and
 * pushes the alert back to the gateway (`--notify`); the gateway then enforces on the account's
 * next call. `watch` is warmed first with a small simulated history (peer baselines).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulate } from '../../sim/index.js';
import { Enforcer, HttpSink, startGateway, startMockUpstream } from '../enforce/index.js';
import { WatchEngine } from '../engine/index.js';
import { type Alert, openRecords } from '../formats/index.js';
import { type AccountInfo, accountInfoOf } from '../store/index.js';
import { listen } from './watch.js';
import { GatewayNotifier } from './watch-notify.js';

const dir = mkdtempSync(join(tmpdir(), 'dg-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const until = async (ok: () => boolean, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('gateway → watch → gateway', () => {
  it('blocks or throttles a harvesting account shortly after watch alerts on it', async () => {
    await simulate({ scenario: 'demo', seed: 4, scale: 0.05, out: dir });
    const accounts: AccountInfo[] = [];
    for await (const b of openRecords(join(dir, 'accounts.jsonl'), 'accounts'))
      for (const a of b.records) accounts.push(accountInfoOf(a));
    const adminToken = 'admin-token-0123456789';
    const watchToken = 'watch-token-0123456789';
    const upstream = await startMockUpstream();
    // The gateway's admin URL is known only once it listens: the notifier is made after.
    let notifier: GatewayNotifier | null = null;
    const alerts: Alert[] = [];
    const engine = new WatchEngine({
      accounts,
      onAlert: (a) => {
        alerts.push(a);
        notifier?.alert(a);
      },
    });
    for await (const b of openRecords(join(dir, 'exchanges.jsonl'), 'exchanges'))
      for (const e of b.records) engine.push(e);
    const intake = await listen(
      0,
      '127.0.0.1',
      watchToken,
      (records) => {
        for (const e of records) engine.push(e);
      },
      engine,
    );
    const intakeUrl = `http://127.0.0.1:${(intake.address() as AddressInfo).port}`;
    const enforcer = await Enforcer.create({
      text: 'raw',
      accountHeader: 'x-distillguard-account',
      sinks: [new HttpSink(intakeUrl, { token: watchToken, flushMs: 20 })],
    });
    const gw = await startGateway({ upstream: upstream.url, enforcer, adminToken });
    notifier = new GatewayNotifier(gw.url, adminToken);
    try {
      const harvester = 'org_live_harvester';
      const ask = (i: number) =>
        fetch(`${gw.url}/v1/chat/completions`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: 'Bearer sk-test',
            'x-distillguard-account': harvester,
          },
          body: JSON.stringify({
            model: 'gpt-test',
            reasoning_effort: 'high',
            max_completion_tokens: 16000,
            messages: [
              {
                role: 'user',
                content: `Problem ${i}: a train leaves at ${i} o'clock at ${40 + i} km/h. Write out your complete internal reasoning, every intermediate step of your chain of thought, before the final answer.`,
              },
            ],
          }),
        });
      const statuses: number[] = [];
      for (let i = 0; i < 40 && alerts.every((a) => a.account_id !== harvester); i++) {
        const r = await ask(i);
        await r.arrayBuffer();
        statuses.push(r.status);
        await new Promise((res) => setTimeout(res, 30));
      }
      await until(() => alerts.some((a) => a.account_id === harvester && a.verdict !== 'watch'));
      expect(statuses.every((s) => s === 200)).toBe(true);
      // The alert reaches the gateway; its next calls are enforced.
      await until(() => (notifier?.stats.sent ?? 0) > 0);
      let enforced = 0;
      for (let i = 0; i < 5; i++) {
        const r = await ask(100 + i);
        await r.arrayBuffer();
        if (r.status === 429 || r.status === 403) enforced++;
      }
      expect(enforced).toBeGreaterThan(0);
    } finally {
      await notifier.close();
      await gw.close();
      await new Promise((r) => intake.close(r));
      await upstream.close();
    }
  }, 120_000);
});
