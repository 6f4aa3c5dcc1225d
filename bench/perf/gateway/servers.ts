/**
 * The processes of the gateway overhead benchmark, one server each so that none shares an event
 * loop with the load generator: `mock` (the upstream) and `ours` (distillguard's gateway, set up
 * as in production: a keys file, 10,000 verdicts and a campaign with indicators loaded, capture to
 * segment files with prompt fingerprints) and `bare` (the reference proxy of bare-proxy.ts). Prints
 * `READY <port>` once listening.
 *
 *   node dist/bench/perf/gateway/servers.js mock
 *   node dist/bench/perf/gateway/servers.js bare <upstream-url>
 *   node dist/bench/perf/gateway/servers.js ours <upstream-url> <capture-dir>
 */

import {
  Enforcer,
  keyTable,
  SegmentSink,
  startGateway,
  startMockUpstream,
  type VerdictUpdate,
} from '../../../src/enforce/index.js';
import type { AccountId, CampaignId } from '../../../src/formats/index.js';
import { startBareProxy } from './bare-proxy.js';
import { BENCH_ACCOUNT, BENCH_KEY } from './constants.js';

/** Accounts with verdicts in the book: a mid-sized provider's flagged set after a `hunt`. */
const BOOK_ACCOUNTS = 10_000;

async function main(): Promise<void> {
  const [role, upstream, captureDir] = process.argv.slice(2);
  if (role === 'mock') {
    const m = await startMockUpstream({ keep: false });
    process.stdout.write(`READY ${m.port}\n`);
    return;
  }
  if (role === 'bare' && upstream !== undefined) {
    process.stdout.write(`READY ${await startBareProxy(upstream)}\n`);
    return;
  }
  if (role === 'ours' && upstream !== undefined && captureDir !== undefined) {
    const enforcer = await Enforcer.create({
      keys: keyTable({ keys: [{ account_id: BENCH_ACCOUNT, key: BENCH_KEY }] }),
      text: 'fingerprint',
      sinks: [new SegmentSink(captureDir)],
    });
    const verdicts = ['clear', 'watch', 'throttle', 'block'] as const;
    for (let i = 0; i < BOOK_ACCOUNTS; i++) {
      const u: VerdictUpdate = {
        kind: 'verdict',
        record: {
          account_id: `acct_${i}` as AccountId,
          score: 0.5,
          verdict: verdicts[i % 4] ?? 'clear',
          campaign_id: i % 4 === 3 ? ('dgc-bench' as CampaignId) : null,
          evidence: [],
        },
      };
      await enforcer.update(u);
    }
    await enforcer.update({
      kind: 'verdict',
      record: {
        account_id: BENCH_ACCOUNT as AccountId,
        score: 0.05,
        verdict: 'clear',
        campaign_id: null,
        evidence: [],
      },
    });
    await enforcer.update({
      kind: 'campaign',
      record: {
        campaign_id: 'dgc-bench' as CampaignId,
        accounts: ['acct_3' as AccountId],
        exchanges: 1,
        output_tokens: 1,
        first_seen: '2026-11-01T00:00:00.000Z',
        last_seen: '2026-11-01T00:00:00.000Z',
        capabilities: {},
        indicators: { subnet: ['203.0.113.0/24'], payment_fingerprint: ['pf-x'] },
        evidence: [],
        score: 0.9,
      },
    });
    const gw = await startGateway({ upstream, enforcer });
    process.stdout.write(`READY ${gw.port}\n`);
    const stop = () => {
      gw.close().then(() => process.exit(0));
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    return;
  }
  process.stderr.write('usage: servers.js mock | bare <upstream-url> | ours <upstream-url> <capture-dir>\n');
  process.exit(2);
}

await main();
