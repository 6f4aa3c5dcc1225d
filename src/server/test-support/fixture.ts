/**
 * A small store and its hunt findings for the server's tests: the demo scenario at 2% (~50k
 * exchanges, ~100 accounts, one campaign), simulated, ingested and hunted in a few seconds, plus
 * an alerts file. Built once per test file in a temp directory.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate } from '../../../sim/index.js';
import { hunt, writeHuntOutputs } from '../../engine/index.js';
import type { Alert } from '../../formats/index.js';
import { ingestFiles, openDuckDbStore } from '../../store/index.js';
import { UserDirectory } from '../auth/users.js';
import type { ServerOptions } from '../server.js';

export const FIXTURE_SCALE = 0.02;
export const FIXTURE_SEED = 5;

export interface Fixture {
  dir: string;
  db: string;
  findings: string;
  alerts: string;
  remove(): void;
}

export async function buildFixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'dg-serve-'));
  const sim = join(dir, 'sim');
  await simulate({ scenario: 'demo', seed: FIXTURE_SEED, scale: FIXTURE_SCALE, out: sim });
  const db = join(dir, 'store.duckdb');
  const store = await openDuckDbStore(db);
  const findings = join(dir, 'hunt');
  try {
    await ingestFiles(
      store,
      ['accounts', 'releases', 'exchanges'].map((k) => join(sim, `${k}.jsonl`)),
    );
    const source = store.features();
    const result = await hunt(source, { seed: 1 });
    await writeHuntOutputs(result, source, findings, {
      source: db,
      command: 'fixture',
      generatedAt: '2026-02-10T00:00:00.000Z',
    });
  } finally {
    await store.close();
  }
  const alerts = join(dir, 'alerts.jsonl');
  writeFileSync(alerts, '');
  return { dir, db, findings, alerts, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function alertLine(a: {
  account_id: string;
  ts?: string;
  verdict?: Alert['verdict'];
  score?: number;
  campaign_id?: string | null;
}): string {
  return `${JSON.stringify({
    ts: '2026-02-05T10:00:00.000Z',
    verdict: 'block',
    score: 0.97,
    campaign_id: null,
    evidence: [
      {
        signal: 'behaviour.peak_rate',
        value: 300,
        baseline: 5,
        weight: 0.3,
        detail: 'up to 300 requests in one hour; peers 5',
      },
    ],
    ...a,
  })}\n`;
}

export const PASSWORDS = {
  admin: 'admin-password-123',
  analyst: 'analyst-password-123',
  viewer: 'viewer-password-123',
} as const;

/** Server options over the fixture: its store, findings and alerts, the fixture users, and a
 * journal and feedback file in its directory. */
export async function fixtureServerOptions(fx: Fixture): Promise<ServerOptions> {
  return {
    db: fx.db,
    findings: fx.findings,
    alerts: fx.alerts,
    users: await fixtureUsers(),
    journal: join(fx.dir, 'analyst.jsonl'),
    feedback: join(fx.dir, 'feedback.json'),
  };
}

/** In-memory users: one per role, named after it. */
export async function fixtureUsers(): Promise<UserDirectory> {
  const users = UserDirectory.empty(null);
  for (const role of ['admin', 'analyst', 'viewer'] as const)
    await users.addUser(role, role, PASSWORDS[role]);
  return users;
}
