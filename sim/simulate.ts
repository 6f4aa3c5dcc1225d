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
import { ascii, bytes, jsonString, num, three, two } from './line.js';
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

/** Keys and punctuation of an exchange line, as bytes (copying beats a char loop even for short runs). */
const K_ACCOUNT_ID = Buffer.from('Z","account_id":"');
const K_IP = Buffer.from('","ip":"');
const K_REQUEST_ID = Buffer.from('","request_id":"');
const K_API_KEY_ID = Buffer.from('","api_key_id":"');
const K_END_USER_ID = Buffer.from('","end_user_id":"');
const K_FORWARDED_FOR = Buffer.from('","forwarded_for":"');
const K_ENDPOINT = Buffer.from('","endpoint":"');
const K_MODEL = Buffer.from('","model":"');
const K_INPUT_TOKENS = Buffer.from('","input_tokens":');
const K_OUTPUT_TOKENS = Buffer.from(',"output_tokens":');
const K_STATUS = Buffer.from(',"status":');
const K_LATENCY_MS = Buffer.from(',"latency_ms":');
const K_TURNS = Buffer.from(',"turns":');
const K_TOOL_COUNT = Buffer.from(',"tool_count":');
const K_TEMPERATURE = Buffer.from(',"temperature":');
const K_PROMPT_FINGERPRINT = Buffer.from(',"prompt_fingerprint":"');
const K_REASONING_TRUE = Buffer.from(',"reasoning":true,"max_tokens":');
const K_REASONING_FALSE = Buffer.from(',"reasoning":false,"max_tokens":');
const K_HARVEST_TRUE = Buffer.from(',"harvest":true');
const K_HARVEST_FALSE = Buffer.from(',"harvest":false');
/** `,"prompt":` — what precedes the prompt when there is no system prompt. */
const PROMPT_KEY = Buffer.from(',"prompt":');
/** Upper bound on the bytes of an exchange line besides its variable strings: the keys, the
 * timestamp, the request id, seven numbers (at most 24 chars each as `String(n)`), the booleans
 * and the newline come to about 480; the rest is slack. */
const LINE_FIXED_BYTES = 640;
/** The exchanges writer's buffer. Small enough to stay in the CPU cache while lines are encoded
 * into it (buffers are recycled once written): 256 KiB measured ~15% faster than 4 MiB. */
const EXCHANGE_BUFFER_BYTES = 256 << 10;
/** Bytes the exchanges writer lets the file system (or zlib) lag behind before the loop waits
 * (it resumes at half): enough to ride out the file system's stalls when other processes share
 * the cores. Every buffer in flight was once a fresh one (page faults), so not more: 8 MiB
 * measured at least as fast as 32 MiB. */
const EXCHANGE_HIGH_WATER_MARK = 8 << 20;

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
  const ex = new JsonlWriter(file('exchanges'), {
    gzip,
    bufferBytes: EXCHANGE_BUFFER_BYTES,
    highWaterMark: EXCHANGE_HIGH_WATER_MARK,
  });
  const ridRng = root.fork('request-ids');
  const rids = new RequestIds(ridRng.u32(), ridRng.u32());
  const o = new Out();
  const st: ExchangeStats = { inputTokens: 0, outputTokens: 0, status: 200, latencyMs: 0 };
  const clientBytes = new Map<Client, Uint8Array>();
  let sysBytes = new Map<string, Uint8Array>();
  let fpCache = new Map<string, string>();
  const fpByBytes = new Map<Uint8Array, string>();
  let lastDay = -1;
  let dayPrefix: Uint8Array = new Uint8Array(0);
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
      dayPrefix = Buffer.from(`{"ts":"${new Date(day * DAY).toISOString().slice(0, 11)}`);
    }
    const sod = sec - day * 86_400;
    const ms = t - sec * 1000;
    const account = o.account;
    account.exchanges++;
    const client = o.client;
    let cb = clientBytes.get(client);
    if (cb === undefined) {
      cb = Buffer.from(`","user_agent":${JSON.stringify(client.userAgent)},"tls_fingerprint":"${client.ja4}`);
      clientBytes.set(client, cb);
    }
    const tx = o.text;
    const endUser = o.endUser as string | undefined;
    const ff = o.forwardedFor as string | undefined;
    if (o.harvest === true) harvest++;
    count++;

    // The line is encoded in place: ASCII fields and numbers byte by byte, recurring text (client,
    // system prompt, pool prompts) copied from bytes encoded once, other prompts JSON-encoded once.
    let sys: Uint8Array = PROMPT_KEY;
    /** A prompt that is not pre-encoded, JSON-encoded straight into the buffer. */
    let promptJson: string | undefined;
    let fp = '';
    if (privacy) {
      // Pool and constant texts come with their bytes (one object per text): keying the cache on
      // that object skips hashing a long string on every lookup.
      const pb = tx.promptBytes;
      const f = pb !== undefined ? fpByBytes.get(pb) : fpCache.get(tx.prompt);
      if (f === undefined) {
        fp = promptFingerprint(tx.prompt);
        if (pb !== undefined) fpByBytes.set(pb, fp);
        else {
          if (fpCache.size > 200_000) fpCache = new Map();
          fpCache.set(tx.prompt, fp);
        }
      } else fp = f;
    } else {
      if (tx.system !== undefined) {
        let sb = sysBytes.get(tx.system);
        if (sb === undefined) {
          sb = Buffer.from(`,"system_prompt":${JSON.stringify(tx.system)},"prompt":`);
          if (sysBytes.size > 50_000) sysBytes = new Map();
          sysBytes.set(tx.system, sb);
        }
        sys = sb;
      }
      if (tx.promptBytes === undefined) promptJson = tx.prompt;
    }
    const need =
      LINE_FIXED_BYTES +
      dayPrefix.length +
      cb.length +
      3 *
        (account.id.length +
          o.ip.length +
          o.key.length +
          (endUser?.length ?? 0) +
          (ff?.length ?? 0) +
          o.endpoint.length +
          o.model.length +
          fp.length +
          2 * (promptJson?.length ?? 0)) +
      (privacy ? 0 : sys.length + (tx.promptBytes?.length ?? 0));
    const buf = ex.room(need);
    let p = bytes(buf, ex.offset, dayPrefix);
    p = two(buf, p, Math.floor(sod / 3600));
    buf[p++] = 58; // :
    p = two(buf, p, Math.floor(sod / 60) % 60);
    buf[p++] = 58;
    p = two(buf, p, sod % 60);
    buf[p++] = 46; // .
    p = three(buf, p, ms);
    p = bytes(buf, p, K_ACCOUNT_ID);
    p = ascii(buf, p, account.id);
    p = bytes(buf, p, K_IP);
    p = ascii(buf, p, o.ip);
    p = bytes(buf, p, K_REQUEST_ID);
    p = rids.writeNext(buf, p);
    p = bytes(buf, p, K_API_KEY_ID);
    p = ascii(buf, p, o.key);
    if (endUser !== undefined) {
      p = bytes(buf, p, K_END_USER_ID);
      p = ascii(buf, p, endUser);
    }
    p = bytes(buf, p, cb);
    if (ff !== undefined) {
      p = bytes(buf, p, K_FORWARDED_FOR);
      p = ascii(buf, p, ff);
    }
    p = bytes(buf, p, K_ENDPOINT);
    p = ascii(buf, p, o.endpoint);
    p = bytes(buf, p, K_MODEL);
    p = ascii(buf, p, o.model);
    p = bytes(buf, p, K_INPUT_TOKENS);
    p = num(buf, p, st.inputTokens);
    p = bytes(buf, p, K_OUTPUT_TOKENS);
    p = num(buf, p, st.outputTokens);
    p = bytes(buf, p, K_STATUS);
    p = num(buf, p, st.status);
    p = bytes(buf, p, K_LATENCY_MS);
    p = num(buf, p, st.latencyMs);
    p = bytes(buf, p, K_TURNS);
    p = num(buf, p, tx.turns ?? 1);
    p = bytes(buf, p, K_TOOL_COUNT);
    p = num(buf, p, tx.toolCount ?? 0);
    p = bytes(buf, p, tx.reasoning === true ? K_REASONING_TRUE : K_REASONING_FALSE);
    p = num(buf, p, o.maxTokens);
    if (o.temperature !== undefined) {
      p = bytes(buf, p, K_TEMPERATURE);
      p = num(buf, p, Math.round(o.temperature * 100) / 100);
    }
    if (privacy) {
      p = bytes(buf, p, K_PROMPT_FINGERPRINT);
      p = ascii(buf, p, fp);
      buf[p++] = 34; // "
    } else {
      p = bytes(buf, p, sys);
      if (promptJson !== undefined) p = jsonString(buf, p, promptJson);
      else p = bytes(buf, p, tx.promptBytes as Uint8Array);
    }
    if (o.harvest !== undefined) p = bytes(buf, p, o.harvest ? K_HARVEST_TRUE : K_HARVEST_FALSE);
    buf[p++] = 125; // }
    const ok = ex.endLine(p);
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
