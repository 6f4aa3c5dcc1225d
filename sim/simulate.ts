/**
 * `simulate(options)`: builds a scenario's accounts and actors, writes releases, accounts and
 * labels, then streams exchanges in time order through a heap of actors (engine.ts).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { JsonlWriter } from '../src/formats/index.js';
import { promptFingerprint } from '../src/text/index.js';
import { ARCHETYPES } from './archetypes.js';
import { loadPrompts } from './data.js';
import {
  type Actor,
  ActorHeap,
  DAY,
  type ExchangeStats,
  makeReleases,
  Out,
  RequestIds,
  type SimAccount,
  stats,
} from './engine.js';
import { type Client, IdFactory, IpSpace } from './infra.js';
import { Rng } from './rng.js';
import { findScenario, periodOf, SCENARIO_NAMES } from './scenarios.js';

export interface SimulateOptions {
  scenario: string;
  seed: number;
  /** Output directory (created when missing). */
  out: string;
  /** Multiplies every archetype's count (accounts and volume), default 1. */
  scale?: number;
  /** Write `.jsonl.gz` instead of `.jsonl`. */
  gzip?: boolean;
  /** Called every `progressEvery` exchanges and at the end. */
  onProgress?: (p: ProgressInfo) => void;
  progressEvery?: number;
}

export interface ProgressInfo {
  /** Share of the simulated period done, 0..1. */
  fraction: number;
  exchanges: number;
  /** Simulated time reached (epoch ms). */
  simTime: number;
}

export interface ArchetypeSummary {
  archetype: string;
  label: 'legit' | 'attack';
  accounts: number;
  exchanges: number;
}

export interface SimulateSummary {
  scenario: string;
  seed: number;
  scale: number;
  gzip: boolean;
  privacy: boolean;
  period: { start: string; end: string };
  files: string[];
  accounts: number;
  exchanges: number;
  attackAccounts: number;
  attackExchanges: number;
  /** Exchanges flagged `harvest: true` (reseller accounts mixing harvest and resold traffic). */
  harvestExchanges: number;
  archetypes: ArchetypeSummary[];
  seconds: number;
  exchangesPerSecond: number;
}

export type SimulateErrorCode = 'unknown_scenario' | 'bad_scale' | 'bad_seed';

export class SimulateError extends Error {
  override readonly name = 'SimulateError';
  constructor(
    readonly code: SimulateErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Units of an archetype at a scale: proportional, but never rounded away to zero. */
export function scaledCount(count: number, scale: number): number {
  if (count <= 0) return 0;
  return Math.max(1, Math.round(count * scale));
}

/** Zero-padded numbers for hand-built RFC 3339 timestamps (one date format per day, table lookups
 * for the rest: `Date#toISOString` per exchange was a measurable share of the loop). */
const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

export async function simulate(options: SimulateOptions): Promise<SimulateSummary> {
  const t0 = performance.now();
  const scenario = findScenario(options.scenario);
  if (!scenario) {
    throw new SimulateError(
      'unknown_scenario',
      `unknown scenario "${options.scenario}"; valid: ${SCENARIO_NAMES.join(', ')}`,
    );
  }
  const scale = options.scale ?? 1;
  if (!Number.isFinite(scale) || scale <= 0 || scale > 100) {
    throw new SimulateError(
      'bad_scale',
      `--scale must be a number in (0, 100], got ${String(options.scale)}`,
    );
  }
  if (!Number.isSafeInteger(options.seed) || options.seed < 0) {
    throw new SimulateError('bad_seed', `--seed must be a non-negative integer, got ${String(options.seed)}`);
  }
  const gzip = options.gzip ?? false;
  const privacy = scenario.privacy ?? false;
  const period = periodOf(scenario);
  const releases = makeReleases(period);
  const pools = loadPrompts();
  const ips = new IpSpace();
  const root = new Rng(options.seed, `sim:${scenario.stream ?? scenario.name}`);
  const used = new Set<string>();
  const accounts: SimAccount[] = [];
  const actors: Actor[] = [];
  for (const arch of ARCHETYPES) {
    const n = scaledCount(scenario.counts[arch.name] ?? 0, scale);
    if (n === 0) continue;
    arch.build(
      {
        rng: root.fork(arch.name),
        ids: new IdFactory(root.fork(`ids:${arch.name}`), used),
        ips,
        pools,
        period,
        releases,
        accounts,
        actors,
      },
      n,
    );
  }

  await mkdir(options.out, { recursive: true });
  const ext = gzip ? '.jsonl.gz' : '.jsonl';
  const file = (name: string) => join(options.out, name + ext);
  const files = [file('exchanges'), file('accounts'), file('releases'), file('labels')];

  const rel = new JsonlWriter(file('releases'), { gzip });
  for (const r of releases.list)
    rel.write({ model: r.model, released_at: new Date(r.releasedAt).toISOString() });
  await rel.close();

  accounts.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  const acc = new JsonlWriter(file('accounts'), { gzip });
  const lab = new JsonlWriter(file('labels'), { gzip });
  for (const a of accounts) {
    const rec: Record<string, unknown> = {
      account_id: a.id,
      created_at: new Date(a.createdAt).toISOString(),
      pathway: a.pathway,
      country: a.country,
      email_domain: a.emailDomain,
      payment_fingerprint: a.payment,
      verified: a.verified,
    };
    if (a.orgName !== undefined) rec.org_name = a.orgName;
    if (a.trust !== undefined) rec.trust = a.trust;
    if (!acc.write(rec)) await acc.drain();
    if (!lab.write({ account_id: a.id, label: a.label, campaign_id: a.campaign, archetype: a.archetype }))
      await lab.drain();
  }
  await acc.close();
  await lab.close();

  // ---- exchanges, in time order ----
  const heap = new ActorHeap();
  actors.forEach((a, i) => {
    a.idx = i;
    heap.push(a);
  });
  const ex = new JsonlWriter(file('exchanges'), { gzip, bufferBytes: 4 << 20, highWaterMark: 32 << 20 });
  const ridRng = root.fork('request-ids');
  const rids = new RequestIds(ridRng.u32(), ridRng.u32());
  const o = new Out();
  const st: ExchangeStats = { inputTokens: 0, outputTokens: 0, status: 200, latencyMs: 0 };
  const uaJson = new Map<Client, string>();
  let sysBytes = new Map<string, Uint8Array>();
  let fpCache = new Map<string, string>();
  let lastDay = -1;
  let dayPrefix = '';
  let count = 0;
  let harvest = 0;
  const every = options.progressEvery ?? 65_536;
  const span = period.end - period.start;

  for (;;) {
    const a = heap.peek();
    if (!a || a.next >= period.end) break;
    const t = a.next;
    o.endUser = undefined;
    o.forwardedFor = undefined;
    o.harvest = undefined;
    o.temperature = undefined;
    o.p429 = 0.004;
    o.outScale = 1;
    o.maxTokens = 4096;
    a.fill(o);
    stats(a.rng, o, st);
    a.advance();
    heap.fixTop();

    const sec = Math.floor(t / 1000);
    const day = Math.floor(t / DAY);
    if (day !== lastDay) {
      lastDay = day;
      dayPrefix = new Date(day * DAY).toISOString().slice(0, 11);
    }
    const sod = sec - day * 86_400;
    const ms = t - sec * 1000;
    const account = o.account;
    account.exchanges++;
    let ua = uaJson.get(o.client);
    if (ua === undefined) {
      ua = JSON.stringify(o.client.userAgent);
      uaJson.set(o.client, ua);
    }
    const tx = o.text;
    let line = `{"ts":"${dayPrefix}${TWO[Math.floor(sod / 3600)]}:${TWO[Math.floor(sod / 60) % 60]}:${TWO[sod % 60]}.${THREE[ms]}Z","account_id":"${account.id}","ip":"${o.ip}","request_id":"${rids.next()}","api_key_id":"${o.key}"`;
    if (o.endUser !== undefined) line += `,"end_user_id":"${o.endUser}"`;
    line += `,"user_agent":${ua},"tls_fingerprint":"${o.client.ja4}"`;
    if (o.forwardedFor !== undefined) line += `,"forwarded_for":"${o.forwardedFor}"`;
    line += `,"endpoint":"${o.endpoint}","model":"${o.model}","input_tokens":${st.inputTokens},"output_tokens":${st.outputTokens},"status":${st.status},"latency_ms":${st.latencyMs},"turns":${tx.turns ?? 1},"tool_count":${tx.toolCount ?? 0},"reasoning":${tx.reasoning === true},"max_tokens":${o.maxTokens}`;
    if (o.temperature !== undefined) line += `,"temperature":${Math.round(o.temperature * 100) / 100}`;
    const tail = o.harvest === undefined ? '}' : o.harvest ? ',"harvest":true}' : ',"harvest":false}';
    if (o.harvest === true) harvest++;
    count++;
    let ok: boolean;
    if (privacy) {
      let fp = fpCache.get(tx.prompt);
      if (fp === undefined) {
        fp = promptFingerprint(tx.prompt);
        if (fpCache.size > 200_000) fpCache = new Map();
        fpCache.set(tx.prompt, fp);
      }
      ok = ex.write(`${line},"prompt_fingerprint":"${fp}"${tail}`);
    } else {
      // The line goes out in parts: the ASCII head, then pre-encoded bytes of the system prompt
      // and of pool prompts (copied, not re-encoded), then the tail with the newline.
      if (tx.system !== undefined) {
        let s = sysBytes.get(tx.system);
        if (s === undefined) {
          s = Buffer.from(`,"system_prompt":${JSON.stringify(tx.system)},"prompt":`);
          if (sysBytes.size > 50_000) sysBytes = new Map();
          sysBytes.set(tx.system, s);
        }
        ex.append(line);
        ex.append(s);
      } else ex.append(`${line},"prompt":`);
      ex.append(tx.promptBytes ?? JSON.stringify(tx.prompt));
      ok = ex.write(tail);
    }
    if (!ok) await ex.drain();
    if (options.onProgress && count % every === 0) {
      options.onProgress({ fraction: (t - period.start) / span, exchanges: count, simTime: t });
    }
  }
  await ex.close();
  options.onProgress?.({ fraction: 1, exchanges: count, simTime: period.end });

  const byArch = new Map<string, ArchetypeSummary>();
  let attackAccounts = 0;
  let attackExchanges = 0;
  for (const a of accounts) {
    let s = byArch.get(a.archetype);
    if (!s) {
      s = { archetype: a.archetype, label: a.label, accounts: 0, exchanges: 0 };
      byArch.set(a.archetype, s);
    }
    s.accounts++;
    s.exchanges += a.exchanges;
    if (a.label === 'attack') {
      attackAccounts++;
      attackExchanges += a.exchanges;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    scenario: scenario.name,
    seed: options.seed,
    scale,
    gzip,
    privacy,
    period: { start: new Date(period.start).toISOString(), end: new Date(period.end).toISOString() },
    files,
    accounts: accounts.length,
    exchanges: count,
    attackAccounts,
    attackExchanges,
    harvestExchanges: harvest,
    archetypes: ARCHETYPES.map((x) => byArch.get(x.name)).filter(
      (x): x is ArchetypeSummary => x !== undefined,
    ),
    seconds,
    exchangesPerSecond: count / seconds,
  };
}
