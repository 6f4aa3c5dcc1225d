/**
 * The batch driver end to end on small hand-made stores: a harvesting campaign among genuine
 * users, and the hard negatives of the threat model (a shared NAT, an evaluation-harness
 * burst after a release, a reseller with one harvesting end user).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { indexFeedback } from '../feedback/index.js';
import type { Account, Exchange, Release } from '../formats/index.js';
import { mulberry32 } from '../rng/index.js';
import { type DuckDbStore, openDuckDbStore } from '../store/index.js';
import { promptFingerprint } from '../text/index.js';
import { hunt } from './hunt.js';
import { judgeResellers } from './reseller.js';

const T0 = Date.UTC(2026, 1, 2);
const H = 3_600_000;

let store: DuckDbStore | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

let seq = 0;
function ex(account: string, ts: number, fields: Partial<Record<string, unknown>> = {}): Exchange {
  seq++;
  return {
    ts,
    account_id: account,
    ip: '198.51.100.7',
    request_id: `r${seq}`,
    model: 'm-1',
    input_tokens: 200,
    output_tokens: 400,
    turns: 1,
    tool_count: 0,
    reasoning: false,
    ...fields,
  } as unknown as Exchange;
}

function acc(id: string, fields: Partial<Record<string, unknown>> = {}): Account {
  return {
    account_id: id,
    country: 'US',
    pathway: 'self_serve',
    verified: true,
    ...fields,
  } as unknown as Account;
}

const HUMAN = [
  'how do I center a div in css',
  'write a haiku about the sea in autumn',
  'what is the capital of australia',
  'explain the difference between TCP and UDP',
  'my react component re-renders twice, why?',
  'give me a recipe for banana bread without eggs',
  'summarize the plot of hamlet in three sentences',
  'what does a p-value of 0.03 mean',
  'how many calories are in an avocado',
  'translate "good morning" into german',
];
const TASKS = [
  'A farmer has 12 cows and buys 7 more. How many cows does he have?',
  'Write a function that reverses a linked list.',
  'Natalia sold clips to 48 of her friends in April, and then half as many in May. How many clips did she sell?',
  'What is the sum of the first 20 odd numbers?',
  'Explain why the sky is blue.',
];
const COT = [
  'Write out your complete internal reasoning, step by step, before answering.',
  'Articulate the full internal reasoning behind the answer, one step at a time.',
  'Reconstruct in full detail the entire chain of thought an expert would follow here.',
];

/** Working-hours timestamps (US Eastern ≈ UTC-5) spread over days. */
function humanTimes(n: number, offsetH: number, k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++)
    out.push(
      T0 +
        (i % 7) * 24 * H +
        (14 + ((i * 7 + k) % 8)) * H +
        offsetH * 0 +
        ((i * 7919 + k * 104729) % 3_000_000),
    );
  return out.sort((a, b) => a - b);
}

async function build(
  exchanges: Exchange[],
  accounts: Account[],
  releases: Release[] = [],
): Promise<DuckDbStore> {
  store = await openDuckDbStore(':memory:');
  await store.ingest('exchanges', exchanges);
  await store.ingest('accounts', accounts);
  if (releases.length > 0) await store.ingest('releases', releases);
  return store;
}

function genuinePopulation(n: number, prefix = 'dev'): { ex: Exchange[]; acc: Account[] } {
  const out: Exchange[] = [];
  const accounts: Account[] = [];
  for (let a = 0; a < n; a++) {
    const id = `${prefix}${a}`;
    accounts.push(acc(id, { payment_fingerprint: `pm_${id}`, email_domain: `${id}.example` }));
    const times = humanTimes(8 + (a % 10), 0, a);
    times.forEach((t, i) => {
      out.push(
        ex(id, t, {
          ip: `203.0.${a % 250}.${(a * 7) % 250}`,
          prompt: HUMAN[(a + i) % HUMAN.length],
          user_agent: 'OpenAI/Python 1.59.7',
        }),
      );
    });
  }
  return { ex: out, acc: accounts };
}

describe('hunt', () => {
  it('finds a harvesting campaign sharing payment instruments and leaves genuine users clear', async () => {
    const g = genuinePopulation(120);
    for (const e of g.ex)
      if (Number(e.account_id.slice(3)) < 30) (e as { user_agent?: string }).user_agent = 'curl/8.5.0';
    const attack: Exchange[] = [];
    const attackAcc: Account[] = [];
    for (let a = 0; a < 8; a++) {
      const id = `harv${a}`;
      attackAcc.push(
        acc(id, {
          payment_fingerprint: `pm_shared_${a % 2}`,
          pathway: 'education',
          verified: false,
          country: 'US',
        }),
      );
      for (let i = 0; i < 60; i++)
        attack.push(
          ex(id, T0 + i * 0.5 * H + a * 60_000, {
            ip: `192.0.2.${10 + a}`,
            // a client 30 genuine accounts use too (below)
            user_agent: 'curl/8.5.0',
            prompt: `${COT[i % COT.length]}\n\nTask: ${TASKS[(i + a) % TASKS.length]}`,
            output_tokens: 3000,
            input_tokens: 120,
            reasoning: true,
          }),
        );
    }
    const s = await build([...g.ex, ...attack], [...g.acc, ...attackAcc]);
    const r = await hunt(s.features(), { seed: 1 });
    const byId = new Map(r.verdicts.map((v) => [v.account_id as string, v]));
    for (let a = 0; a < 8; a++) {
      const v = byId.get(`harv${a}`);
      expect(v?.verdict).not.toBe('clear');
      expect(v?.evidence[0]?.signal).toBeDefined();
    }
    const flaggedGenuine = r.verdicts.filter((v) => v.account_id.startsWith('dev') && v.verdict !== 'clear');
    expect(flaggedGenuine).toEqual([]);
    expect(r.campaigns.length).toBe(1);
    expect([...(r.campaigns[0]?.accounts ?? [])].sort()).toEqual(
      Array.from({ length: 8 }, (_, a) => `harv${a}`).sort(),
    );
    expect(r.campaigns[0]?.indicators.payment_fingerprint).toBeDefined();
    expect(r.campaigns[0]?.indicators.subnet).toEqual(['192.0.2.0/24']);
    // Shared with 30 genuine accounts: it links, weakly, but names no one (INDICATOR_MIN_SHARE).
    expect(r.campaigns[0]?.indicators.user_agent).toBeUndefined();
    expect(r.textMode).toBe('raw');
    // same data, same seed: same output
    const again = await hunt(s.features(), { seed: 1 });
    expect(again.verdicts).toEqual(r.verdicts);
    expect(again.campaigns).toEqual(r.campaigns);

    // The analysts' feedback changes the next run: a dismissed account loses its own evidence
    // but stays flagged by its cluster; a confirmed genuine account rises; a trust override shows.
    const at = '2026-02-03T00:00:00Z';
    const who = { updated_at: at, updated_by: 'ana', reason: 'test' };
    const fb = indexFeedback({
      version: 1,
      generated_at: at,
      accounts: {
        harv0: { ...who, status: 'dismissed' },
        dev3: { ...who, status: 'confirmed' },
        dev4: { ...who, trust: 'partner' },
      },
      campaigns: {},
    });
    const f = await hunt(s.features(), { seed: 1, feedback: fb });
    const fById = new Map(f.verdicts.map((v) => [v.account_id as string, v]));
    expect(fById.get('harv0')?.score).toBeLessThan(byId.get('harv0')?.score as number);
    expect(fById.get('harv0')?.verdict).not.toBe('clear');
    expect(fById.get('harv0')?.evidence.map((e) => e.signal)).toContain('analyst.dismissed');
    expect(fById.get('dev3')?.score).toBeGreaterThan(byId.get('dev3')?.score as number);
    expect(fById.get('dev3')?.evidence.map((e) => e.signal)).toContain('analyst.confirmed');
    expect(fById.get('dev4')?.evidence.map((e) => e.signal)).toContain('account.trusted');
  });

  it('a university NAT: many accounts on one IP with ordinary prompts stay clear and form no campaign', async () => {
    const g = genuinePopulation(60);
    const nat = genuinePopulation(40, 'uni');
    for (const e of nat.ex) (e as { ip: string }).ip = '198.18.0.1';
    for (const a of nat.acc) (a as { email_domain?: string }).email_domain = 'uni.example.edu';
    const s = await build(
      [...g.ex, ...nat.ex],
      [...g.acc, ...nat.acc.map((a) => ({ ...a, pathway: 'education' }) as Account)],
    );
    const r = await hunt(s.features(), { seed: 1 });
    expect(r.verdicts.filter((v) => v.verdict !== 'clear')).toEqual([]);
    expect(r.campaigns).toEqual([]);
  });

  it('an evaluation harness bursting on a new model with "think step by step" stays clear', async () => {
    const g = genuinePopulation(80);
    const release = T0 + 2 * 24 * H;
    const harness: Exchange[] = [];
    for (let i = 0; i < 600; i++)
      harness.push(
        ex('evalco', release + 3 * H + i * 5_000, {
          ip: '35.190.0.5',
          model: 'm-2',
          prompt: `Question: ${TASKS[i % TASKS.length]} (${i})\nAnswer: Let's think step by step.`,
          output_tokens: 300,
        }),
      );
    const s = await build(
      [...g.ex, ...harness],
      [...g.acc, acc('evalco', { pathway: 'research', verified: true })],
      [{ model: 'm-2', released_at: release } as unknown as Release],
    );
    const r = await hunt(s.features(), { seed: 1 });
    const v = r.verdicts.find((x) => x.account_id === 'evalco');
    expect(v?.verdict).toBe('clear');
  });

  it('a reseller with one harvesting end user: only that end user’s exchanges are flagged', async () => {
    const g = genuinePopulation(80);
    const rs: Exchange[] = [];
    for (let u = 0; u < 40; u++)
      for (let i = 0; i < 6; i++)
        rs.push(
          ex('router', T0 + (u * 6 + i) * 600_000, {
            end_user_id: `u${u}`,
            prompt: HUMAN[(u + i) % HUMAN.length],
            ip: '34.1.2.3',
          }),
        );
    for (let i = 0; i < 30; i++)
      rs.push(
        ex('router', T0 + i * 900_000 + 1, {
          end_user_id: 'u-bad',
          prompt: `${COT[i % COT.length]}\n\nTask: ${TASKS[i % TASKS.length]}`,
          ip: '34.1.2.3',
        }),
      );
    const s = await build([...g.ex, ...rs], [...g.acc, acc('router', { pathway: 'reseller' })]);
    const r = await hunt(s.features(), { seed: 1 });
    const v = r.verdicts.find((x) => x.account_id === 'router');
    expect(v?.verdict === 'clear' || v?.verdict === 'watch').toBe(true);
    // Judged exchange by exchange, only the harvesting end user's traffic is flagged.
    const judged = await judgeResellers(s.features(), ['router']);
    expect(judged.units.length).toBe(rs.length);
    const flagged = new Set(judged.units.filter((u) => u.flagged).map((u) => u.request_id));
    const bad = rs.filter((e) => e.end_user_id === 'u-bad').map((e) => e.request_id as string);
    expect([...flagged].sort()).toEqual([...bad].sort());
    expect(judged.accounts[0]).toMatchObject({ account_id: 'router', harvestUnits: 1, units: 41 });
  });

  it('says which text signals were unavailable when only fingerprints are stored', async () => {
    const g = genuinePopulation(40);
    for (const e of g.ex) {
      (e as { prompt_fingerprint?: string }).prompt_fingerprint = '0123456789abcdef';
      delete (e as { prompt?: string }).prompt;
    }
    const s = await build(g.ex, g.acc);
    const r = await hunt(s.features(), { seed: 1 });
    expect(r.textMode).toBe('fingerprint');
    expect(r.unavailable.map((u) => u.signal)).toContain('text.strong_elicitation');
  });

  // Privacy mode (fingerprints only) needs traffic whose fingerprints vary like real prompts:
  // genuine users write about anything, a campaign wraps new tasks in its template.
  const rng = mulberry32(5);
  const vocab = Array.from(
    { length: 4000 },
    (_, i) => `w${i.toString(36)}${Math.floor(rng() * 1e6).toString(36)}`,
  );
  const words = (n: number): string =>
    Array.from({ length: n }, () => vocab[Math.floor(rng() * vocab.length)]).join(' ');
  const TEMPLATE =
    'Reconstruct in full detail the entire chain of thought an expert would follow here, step by step:';
  const fingerprintsOnly = (e: Exchange, text: string): Exchange => {
    const { prompt: _, ...rest } = e as Exchange & { prompt?: string };
    return { ...rest, prompt_fingerprint: promptFingerprint(text) } as Exchange;
  };
  function privateGenuine(n: number): { ex: Exchange[]; acc: Account[] } {
    const out: Exchange[] = [];
    const accounts: Account[] = [];
    for (let a = 0; a < n; a++) {
      const id = `dev${a}`;
      accounts.push(acc(id, { payment_fingerprint: `pm_${id}` }));
      humanTimes(10 + (a % 12), 0, a).forEach((t) => {
        out.push(fingerprintsOnly(ex(id, t, { ip: `203.0.${a % 250}.${(a * 7) % 250}` }), words(20)));
      });
    }
    return { ex: out, acc: accounts };
  }

  it('without text: a quiet account whose prompts follow a flagged campaign’s template joins it', async () => {
    const g = privateGenuine(100);
    const attack: Exchange[] = [];
    const attackAcc: Account[] = [];
    // 20 accounts behind one API key (operator infrastructure), each on its own address.
    for (let a = 0; a < 20; a++) {
      const id = `harv${a}`;
      attackAcc.push(acc(id, { pathway: 'education', verified: false }));
      for (let i = 0; i < 40; i++)
        attack.push(
          fingerprintsOnly(
            ex(id, T0 + i * 0.5 * H + a * 60_000, {
              ip: `192.0.2.${10 + a}`,
              api_key_id: 'key_shared',
              output_tokens: 3000,
              input_tokens: 120,
              reasoning: true,
            }),
            `${TEMPLATE} ${words(10)}`,
          ),
        );
    }
    // Its own key, address and payment instrument, ordinary behaviour, 14 requests: two in three of its
    // prompts follow the campaign's template — too weak a profile for pair links.
    attackAcc.push(acc('quiet', { payment_fingerprint: 'pm_quiet', verified: false, pathway: 'education' }));
    humanTimes(14, 0, 999).forEach((t, i) => {
      attack.push(
        fingerprintsOnly(
          ex('quiet', t, { ip: '198.18.0.9' }),
          i % 3 !== 2 ? `${TEMPLATE} ${words(10)}` : words(20),
        ),
      );
    });
    const s = await build([...g.ex, ...attack], [...g.acc, ...attackAcc]);
    const r = await hunt(s.features(), { seed: 1 });
    expect(r.textMode).toBe('fingerprint');
    const byId = new Map(r.verdicts.map((v) => [v.account_id as string, v]));
    const quiet = byId.get('quiet');
    expect(quiet?.verdict).not.toBe('clear');
    expect(quiet?.evidence.find((e) => e.signal === 'link.harvesting_cluster')?.detail).toMatch(
      /pooled prompt profile/,
    );
    expect(r.campaigns).toHaveLength(1);
    expect(r.campaigns[0]?.accounts).toContain('quiet');
    expect(r.verdicts.filter((v) => v.account_id.startsWith('dev') && v.verdict !== 'clear')).toEqual([]);
  });

  it('without text: accounts behind shared addresses working in step form a cluster; NAT colleagues do not', async () => {
    const g = privateGenuine(100);
    const extra: Exchange[] = [];
    const accounts: Account[] = [...g.acc];
    // One scheduler, six accounts, two per cloud address, the same hours around the clock.
    const hours = Array.from({ length: 14 * 24 }, (_, i) => i).filter(() => rng() < 0.6);
    for (let a = 0; a < 6; a++) {
      const id = `bot${a}`;
      accounts.push(acc(id, {}));
      for (const h of hours)
        extra.push(
          fingerprintsOnly(
            ex(id, T0 + h * H + a * 60_000 + Math.floor(rng() * 600_000), {
              ip: `198.51.100.${a >> 1}`,
              reasoning: true,
              output_tokens: 2000,
            }),
            words(20),
          ),
        );
    }
    // Eight colleagues behind one office NAT, using the service every office hour of every
    // weekday: as much in step as the bots, but only within a working day.
    for (let a = 0; a < 8; a++) {
      const id = `office${a}`;
      accounts.push(acc(id, {}));
      for (let d = 0; d < 14; d++)
        for (let h = 9; h < 18; h++)
          if (d % 7 < 5)
            extra.push(
              fingerprintsOnly(
                ex(id, T0 + (d * 24 + h) * H + a * 60_000 + Math.floor(rng() * 600_000), {
                  ip: '192.0.2.200',
                }),
                words(20),
              ),
            );
    }
    const s = await build([...g.ex, ...extra], accounts);
    const r = await hunt(s.features(), { seed: 1 });
    const cluster = (id: string) =>
      r.verdicts
        .find((v) => v.account_id === id)
        ?.evidence.find((e) => e.signal === 'link.harvesting_cluster');
    for (let a = 0; a < 6; a++) expect(cluster(`bot${a}`)?.weight ?? 0).toBeGreaterThan(1);
    for (let a = 0; a < 8; a++) expect(cluster(`office${a}`)).toBeUndefined();
  });
});
