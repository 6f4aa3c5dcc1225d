/**
 * Archetypes: who sends traffic and how. Each builds its accounts and the actors that drive them.
 * Genuine archetypes include the hard negatives of THREAT-MODEL.md (evaluation harnesses sending
 * GSM8K with "think step by step", templated synthetic-data jobs, NAT'd campuses, resellers);
 * attack archetypes follow the Feb 2026 reports. Every number is stated in sim/README.md with its
 * source. Ids, names, clients and IPs are drawn from the same tables for everyone (infra.ts).
 */
import type { PromptPools, PromptRecord } from './data.js';
import {
  type Actor,
  type Adoption,
  DAY,
  HOUR,
  MINUTE,
  modelAt,
  type Pathway,
  type Period,
  PROFILES,
  ProcessActor,
  type Releases,
  type SimAccount,
  type Timing,
  type Window,
} from './engine.js';
import {
  brand,
  CLIENTS,
  CLOUD_PROVIDERS,
  type Client,
  type CloudProvider,
  companyDomain,
  DEV_CLIENT_MIX,
  FREEMAIL,
  type IdFactory,
  type IpSpace,
  orgName,
  PLACES,
  pickClient,
  pickPlace,
  universityDomain,
} from './infra.js';
import type { Rng } from './rng.js';
import { scramble32 } from './rng.js';
import {
  AGENT_HARVEST_SYSTEM,
  agenticHarvest,
  agentStep,
  appSystemPrompt,
  capOfHuman,
  censorshipRewrite,
  codingHarvestStep,
  codingHarvestTask,
  cotElicitation,
  debugSystem,
  type EvalStyle,
  evalItem,
  humanPrompt,
  lowAndSlow,
  personaSystem,
  ragPrompt,
  ragSystemPrompt,
  rubricGrading,
  SYNTH_SYSTEM,
  synthPrompt,
  synthTemplateIds,
  type Text,
  THINK_LANGS,
  thinkingLanguage,
} from './text.js';

export interface BuildCtx {
  rng: Rng;
  ids: IdFactory;
  ips: IpSpace;
  pools: PromptPools;
  period: Period;
  releases: Releases;
  accounts: SimAccount[];
  actors: Actor[];
}

export interface Archetype {
  name: string;
  label: 'legit' | 'attack';
  /** Ground-truth campaign id of an attack archetype (labels.jsonl only). */
  campaign: string | null;
  /** What one unit of `count` is (account, app, org, slot, campaign accounts). */
  unit: string;
  summary: string;
  build(ctx: BuildCtx, n: number): void;
}

// ---- helpers -------------------------------------------------------------------------------------

interface AccountSpec {
  pathway: Pathway;
  country: string;
  emailDomain: string;
  payment?: string;
  verified: boolean;
  createdAt: number;
  orgName?: string;
  trust?: SimAccount['trust'];
  keys?: number;
}

function account(ctx: BuildCtx, arch: Archetype, spec: AccountSpec): SimAccount {
  const a: SimAccount = {
    id: ctx.ids.account(),
    archetype: arch.name,
    label: arch.label,
    campaign: arch.campaign,
    createdAt: Math.floor(spec.createdAt),
    pathway: spec.pathway,
    country: spec.country,
    emailDomain: spec.emailDomain,
    payment: spec.payment ?? ctx.ids.payment(),
    verified: spec.verified,
    keys: [],
    exchanges: 0,
  };
  if (spec.orgName !== undefined) a.orgName = spec.orgName;
  if (spec.trust !== undefined) a.trust = spec.trust;
  const k = spec.keys ?? 1;
  for (let i = 0; i < k; i++) a.keys.push(ctx.ids.apiKey());
  ctx.accounts.push(a);
  return a;
}

function whole(period: Period): Window[] {
  return [{ start: period.start, end: period.end, mult: 1 }];
}

function timing(t: Partial<Timing> & Pick<Timing, 'perDay' | 'windows'>): Timing {
  return {
    profile: PROFILES.flat,
    utcOffset: 0,
    weekend: 1,
    sessionMean: 1,
    gapMedianMs: 30_000,
    gapSigma: 0.8,
    ...t,
  };
}

function endpointFor(rng: Rng, client: Client): string {
  if (client.api === 'anthropic') return 'messages';
  if (client.api === 'openai') return rng.chance(0.8) ? 'chat.completions' : 'responses';
  return rng.chance(0.55) ? 'chat.completions' : 'messages';
}

function cloudPool(ctx: BuildCtx, rng: Rng, n: number, providers: readonly CloudProvider[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(ctx.ips.cloud(rng, rng.pick(providers)));
  return out;
}

/** A keyed, stable end-user id of one of the formats apps use (hashed user id, UUID, number). */
function endUserId(fmt: number, salt: number, idx: number): string {
  const a = scramble32(idx, salt);
  const b = scramble32(idx ^ 0x5bd1e995, salt ^ 0x9e3779b9);
  switch (fmt) {
    case 0:
      return `user_${a.toString(16).padStart(8, '0')}${(b >>> 8).toString(16).padStart(6, '0')}`;
    case 1: {
      const h = a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(0, 3)}-${h.slice(4, 16)}`;
    }
    default:
      return String(100_000 + (a % 9_000_000));
  }
}

/** Skewed choice of a user index: a few users are much more active than most (Zipf-like). */
function skewedIndex(rng: Rng, n: number): number {
  const u = rng.next();
  return Math.floor(n * u * u * u);
}

function slowAdoption(rng: Rng, tier: Adoption['tier']): Adoption {
  return {
    tier,
    delay: rng.uniform(0, 4) * DAY,
    tau: rng.uniform(1.5, 10) * DAY,
    share: rng.uniform(0.3, 0.9),
  };
}

const DECLARED_COUNTRIES = ['US', 'US', 'US', 'SG', 'GB', 'CA', 'JP', 'DE', 'AU', 'KR', 'NL'];
const GENERIC_SYSTEMS = [
  'You are a helpful assistant.',
  'You are a helpful assistant. Answer concisely.',
  'You are an expert Python developer. Prefer standard-library solutions.',
  'You are a senior TypeScript engineer. Reply with code first, then a short explanation.',
  'Answer in markdown.',
];

// ---- genuine archetypes --------------------------------------------------------------------------

const indieDev: Archetype = {
  name: 'indie_dev',
  label: 'legit',
  campaign: null,
  unit: 'account',
  summary: 'individual developers: a few requests a day in sessions, home broadband, SDKs and curl',
  build(ctx, n) {
    const { period, pools, releases } = ctx;
    for (let i = 0; i < n; i++) {
      const r = ctx.rng.fork(`u${i}`);
      const place = pickPlace(r);
      const acc = account(ctx, this, {
        pathway: r.weighted<Pathway>(['self_serve', 'startup', 'research'], [0.85, 0.1, 0.05]),
        country: place.country,
        emailDomain: r.chance(0.7) ? r.pick(FREEMAIL) : companyDomain(r),
        verified: r.chance(0.3),
        createdAt: period.start - r.uniform(1, 700) * DAY,
        keys: r.range(1, 3),
      });
      const client = pickClient(r, DEV_CLIENT_MIX);
      const home = ctx.ips.residential(r);
      const u = r.next();
      const alt =
        u < 0.1
          ? ctx.ips.cloud(r, 'apple-proxy')
          : u < 0.15
            ? ctx.ips.cloud(r, 'protonvpn')
            : u < 0.35
              ? ctx.ips.cloud(r, r.pick(CLOUD_PROVIDERS))
              : ctx.ips.residential(r);
      const endpoint = endpointFor(r, client);
      const adoption = slowAdoption(r, r.chance(0.6) ? 'pro' : 'flash');
      const system = r.chance(0.3) ? r.pick(GENERIC_SYSTEMS) : undefined;
      const maxTokens = r.pick([1024, 2048, 4096, 8192]);
      const temperature = r.chance(0.5) ? undefined : r.pick([0, 0.2, 0.7, 1]);
      const reasoningShare = r.uniform(0, 0.3);
      const mix = [0.4, 0.08, 0.12, 0.28, 0.12];
      const t = timing({
        perDay: Math.min(300, r.lognormal(0.6, 1.3)),
        windows: whole(period),
        profile: PROFILES.developer,
        utcOffset: place.utcOffset,
        weekend: 0.6,
        sessionMean: 4,
        gapMedianMs: 70_000,
        gapSigma: 1,
      });
      ctx.actors.push(
        new ProcessActor(r, t, (o, a) => {
          const rr = a.rng;
          o.account = acc;
          o.key = rr.pick(acc.keys);
          o.ip = rr.chance(0.85) ? home : alt;
          o.client = client;
          o.endpoint = endpoint;
          o.model = modelAt(rr, a.next, adoption, releases);
          const p = humanPrompt(rr, pools, mix);
          o.text = {
            prompt: p.text,
            promptBytes: p.bytes,
            system,
            cap: capOfHuman(p),
            turns: 2 * a.sessionStep + 1,
            reasoning: rr.chance(reasoningShare),
          };
          o.maxTokens = maxTokens;
          o.temperature = temperature;
        }),
      );
    }
  },
};

const chatApp: Archetype = {
  name: 'chat_app',
  label: 'legit',
  campaign: null,
  unit: 'app account',
  summary: 'consumer/business chat apps: many end users behind one account, one system prompt, evening peak',
  build(ctx, n) {
    const { period, pools, releases } = ctx;
    for (let i = 0; i < n; i++) {
      const r = ctx.rng.fork(`u${i}`);
      const place = pickPlace(r);
      const b = brand(r);
      const org = orgName(r, b);
      const acc = account(ctx, this, {
        pathway: r.weighted<Pathway>(['self_serve', 'startup', 'enterprise'], [0.4, 0.4, 0.2]),
        country: place.country,
        emailDomain: companyDomain(r, b),
        verified: r.chance(0.5),
        createdAt: period.start - r.uniform(20, 600) * DAY,
        orgName: org,
        keys: r.range(1, 4),
      });
      const system = appSystemPrompt(r, org);
      const users = Math.max(20, Math.round(r.lognormal(3000, 1)));
      const salt = r.u32();
      const fmt = r.int(3);
      const client = pickClient(r, { openaiJs: 0.35, anthropicJs: 0.3, openaiPy: 0.15, anthropicPy: 0.2 });
      const egress = cloudPool(ctx, r, r.range(1, 6), [r.pick(CLOUD_PROVIDERS)]);
      const endpoint = endpointFor(r, client);
      const adoption = slowAdoption(r, r.chance(0.7) ? 'flash' : 'pro');
      const mix = [0.08, 0.07, 0.25, 0.35, 0.25];
      let user = '';
      const t = timing({
        perDay: Math.min(20_000, r.lognormal(250, 0.9)),
        windows: whole(period),
        profile: PROFILES.consumer,
        utcOffset: place.utcOffset,
        weekend: 1.15,
        sessionMean: 3,
        gapMedianMs: 40_000,
      });
      ctx.actors.push(
        new ProcessActor(r, t, (o, a) => {
          const rr = a.rng;
          if (a.sessionStep === 0 || user === '') user = endUserId(fmt, salt, skewedIndex(rr, users));
          o.account = acc;
          o.key = acc.keys[0] as string;
          o.ip = rr.pick(egress);
          o.client = client;
          o.endpoint = endpoint;
          o.model = modelAt(rr, a.next, adoption, releases);
          o.endUser = user;
          const p = humanPrompt(rr, pools, mix);
          o.text = {
            prompt: p.text,
            promptBytes: p.bytes,
            system,
            cap: capOfHuman(p),
            turns: 2 * a.sessionStep + 1,
          };
          o.maxTokens = 1024;
          o.temperature = 0.7;
        }),
      );
    }
  },
};

function agentPlatformSystem(rng: Rng, name: string): string {
  return `You are ${name}, an AI coding agent. You have tools to read and edit files, run shell commands, search the codebase and run tests. Work in small verified steps. ${rng.pick(
    [
      'Ask before deleting files.',
      'Prefer minimal diffs and keep the existing code style.',
      'Never commit secrets. Run the test suite before declaring a task done.',
    ],
  )}`;
}

const codingAgent: Archetype = {
  name: 'coding_agent',
  label: 'legit',
  campaign: null,
  unit: 'account',
  summary:
    'coding agents and agent platforms: tool definitions, long multi-turn sessions, 24/7, cloud egress',
  build(ctx, n) {
    const { period, pools, releases } = ctx;
    for (let i = 0; i < n; i++) {
      const r = ctx.rng.fork(`u${i}`);
      const place = pickPlace(r);
      const b = brand(r);
      const acc = account(ctx, this, {
        pathway: r.weighted<Pathway>(['startup', 'enterprise', 'self_serve'], [0.45, 0.3, 0.25]),
        country: place.country,
        emailDomain: companyDomain(r, b),
        verified: r.chance(0.6),
        createdAt: period.start - r.uniform(10, 500) * DAY,
        orgName: orgName(r, b),
        keys: r.range(1, 5),
      });
      const client = pickClient(r, {
        anthropicPy: 0.35,
        anthropicJs: 0.3,
        openaiPy: 0.15,
        openaiJs: 0.15,
        raw: 0.05,
      });
      const egress = cloudPool(ctx, r, r.range(2, 12), [r.pick(CLOUD_PROVIDERS)]);
      const endpoint = endpointFor(r, client);
      const tools = r.range(6, 40);
      const system = agentPlatformSystem(r, `${b[0]?.toUpperCase()}${b.slice(1)}`);
      const adoption: Adoption = r.chance(0.3)
        ? { tier: 'pro', delay: r.uniform(0, 6) * HOUR, tau: 0.2 * DAY, share: r.uniform(0.8, 1) }
        : slowAdoption(r, 'pro');
      const maxTokens = r.pick([8192, 16384]);
      const always = r.chance(0.6);
      const workers = Math.max(1, Math.min(8, Math.round(r.lognormal(1.3, 0.6))));
      for (let w = 0; w < workers; w++) {
        const rw = r.fork(`w${w}`);
        let task: PromptRecord = pools.human.coding[0] as PromptRecord;
        const t = timing({
          perDay: Math.min(3000, rw.lognormal(40, 0.9)),
          windows: whole(period),
          profile: always ? PROFILES.flat : PROFILES.developer,
          utcOffset: place.utcOffset,
          weekend: always ? 1 : 0.5,
          sessionMean: 30,
          gapMedianMs: 7_000,
          gapSigma: 0.8,
        });
        ctx.actors.push(
          new ProcessActor(rw, t, (o, a) => {
            const rr = a.rng;
            const step = a.sessionStep;
            if (step === 0) task = rr.chance(0.8) ? rr.pick(pools.human.coding) : rr.pick(pools.human.all);
            o.account = acc;
            o.key = acc.keys[w % acc.keys.length] as string;
            o.ip = rr.pick(egress);
            o.client = client;
            o.endpoint = endpoint;
            o.model = modelAt(rr, a.next, adoption, releases);
            const tx: Text = agentStep(rr, step, task);
            tx.system = system;
            tx.toolCount = tools;
            tx.turns = Math.min(400, 2 * step + 1);
            tx.extraInput = Math.min(150_000, 1500 + step * 900);
            o.text = tx;
            o.maxTokens = maxTokens;
            o.p429 = 0.01;
          }),
        );
      }
    }
  },
};

const evalHarness: Archetype = {
  name: 'eval_harness',
  label: 'legit',
  campaign: null,
  unit: 'account',
  summary:
    'evaluation harnesses: GSM8K/HumanEval/BFCL verbatim, often "think step by step", bursts after releases',
  build(ctx, n) {
    const { period, pools, releases } = ctx;
    const inPeriod = releases.list.filter((x) => x.releasedAt >= period.start && x.releasedAt < period.end);
    for (let i = 0; i < n; i++) {
      const r = ctx.rng.fork(`u${i}`);
      const place = pickPlace(r);
      const research = r.chance(0.5);
      const b = brand(r);
      const acc = account(ctx, this, {
        pathway: research ? 'research' : r.chance(0.6) ? 'enterprise' : 'startup',
        country: place.country,
        emailDomain: research && r.chance(0.6) ? universityDomain(r, place.country) : companyDomain(r, b),
        verified: r.chance(0.8),
        createdAt: period.start - r.uniform(30, 700) * DAY,
        orgName: orgName(r, b),
        keys: r.range(1, 3),
      });
      const client = pickClient(r, { openaiPy: 0.35, anthropicPy: 0.35, raw: 0.3 });
      const egress = cloudPool(ctx, r, r.range(1, 3), [r.pick(CLOUD_PROVIDERS)]);
      const endpoint = endpointFor(r, client);
      const suites = (['gsm8k', 'humaneval', 'tools'] as const).filter((_, k) => k === 0 || r.chance(0.5));
      const style = r.weighted<EvalStyle>(['zeroshot-cot', 'fewshot', 'plain'], [0.5, 0.3, 0.2]);
      const reasoning = r.chance(0.3);
      const rps = r.uniform(1, 8);
      const samples = r.range(1, 3);
      // A harness runs each benchmark's evaluation-sized subset: GSM8K's test split has 1,319
      // problems, HumanEval 164, and BFCL runs are typically a few hundred queries.
      const suiteSize = { gsm8k: 1319, humaneval: pools.tasks.humaneval.length, tools: 400 } as const;
      const items = suites.reduce((s, k) => s + suiteSize[k], 0) * samples;
      const windows: Window[] = [];
      const windowModel: string[] = [];
      for (const rel of inPeriod) {
        const start = rel.releasedAt + r.uniform(0.5, 20) * HOUR;
        const dur = Math.min(3 * DAY, (items / rps) * 1000);
        windows.push({ start, end: Math.min(period.end, start + dur), mult: 1 });
        windowModel.push(rel.model);
      }
      if (r.chance(0.4)) {
        // nightly regression runs at 02:00 local on the current flagship
        for (let d = Math.floor(period.start / DAY); d * DAY < period.end; d++) {
          const start = d * DAY + (2 - place.utcOffset) * HOUR;
          if (start < period.start) continue;
          windows.push({ start, end: Math.min(period.end, start + r.uniform(10, 30) * MINUTE), mult: 0.05 });
          windowModel.push('');
        }
      }
      windows.sort((x, y) => x.start - y.start);
      // keep windows disjoint (a nightly run inside a release burst is merged away)
      const disjoint: Window[] = [];
      const models: string[] = [];
      const order = windows
        .map((w, k) => ({ w, m: windowModel[k] as string }))
        .sort((x, y) => x.w.start - y.w.start);
      for (const { w, m } of order) {
        const last = disjoint[disjoint.length - 1];
        if (last && w.start < last.end) continue;
        disjoint.push(w);
        models.push(m);
      }
      let cursor = r.int(10_000);
      const t = timing({ perDay: rps * 86_400, windows: disjoint });
      ctx.actors.push(
        new ProcessActor(r, t, (o, a) => {
          const rr = a.rng;
          cursor++;
          const suite = suites[cursor % suites.length] as 'gsm8k' | 'humaneval' | 'tools';
          const pool =
            suite === 'gsm8k'
              ? pools.tasks.gsm8k
              : suite === 'humaneval'
                ? pools.tasks.humaneval
                : pools.tasks.tools;
          const item = pool[
            Math.floor(cursor / suites.length) % Math.min(pool.length, suiteSize[suite])
          ] as PromptRecord;
          o.account = acc;
          o.key = acc.keys[0] as string;
          o.ip = rr.pick(egress);
          o.client = client;
          o.endpoint = rr.chance(0.1) ? 'batch' : endpoint;
          const m = models[a.windowIndex];
          o.model = m !== undefined && m !== '' ? m : modelAt(rr, a.next, slowAdoption(rr, 'pro'), releases);
          const tx = evalItem(suite, item, style);
          tx.reasoning = reasoning;
          o.text = tx;
          o.maxTokens = suite === 'humaneval' ? 1024 : reasoning ? 8192 : 2048;
          o.temperature = 0;
          o.p429 = 0.03;
        }),
      );
    }
  },
};

const synthData: Archetype = {
  name: 'synthetic_data',
  label: 'legit',
  campaign: null,
  unit: 'account',
  summary:
    'licensed synthetic-data and labeling jobs: a few templates, high volume in jobs, verified enterprise',
  build(ctx, n) {
    const { period, pools, releases } = ctx;
    for (let i = 0; i < n; i++) {
      const r = ctx.rng.fork(`u${i}`);
      const place = pickPlace(r);
      const b = brand(r);
      const acc = account(ctx, this, {
        pathway: 'enterprise',
        country: place.country,
        emailDomain: companyDomain(r, b),
        verified: true,
        createdAt: period.start - r.uniform(60, 700) * DAY,
        orgName: orgName(r, b),
        trust: r.weighted(['partner', 'known_customer', 'none'] as const, [0.5, 0.3, 0.2]),
        keys: r.range(1, 6),
      });
      const client = pickClient(r, { openaiPy: 0.4, anthropicPy: 0.4, raw: 0.2 });
      const egress = cloudPool(ctx, r, r.range(2, 8), [r.pick(CLOUD_PROVIDERS)]);
      const batch = r.chance(0.5);
      const endpoint = batch ? 'batch' : endpointFor(r, client);
      const templates = synthTemplateIds(r);
      const system = r.chance(0.7) ? SYNTH_SYSTEM : undefined;
      const adoption = slowAdoption(r, r.chance(0.5) ? 'pro' : 'flash');
      const windows: Window[] = [];
      let s = period.start + r.uniform(0, 1) * DAY;
      while (s < period.end) {
        const dur = r.uniform(4, 30) * HOUR;
        windows.push({ start: s, end: Math.min(period.end, s + dur), mult: 1 });
        s += dur + r.exp(1.2 * DAY);
      }
      const t = timing({ perDay: r.lognormal(3000, 0.6), windows });
      ctx.actors.push(
        new ProcessActor(r, t, (o, a) => {
          const rr = a.rng;
          o.account = acc;
          o.key = rr.pick(acc.keys);
          o.ip = rr.pick(egress);
          o.client = client;
          o.endpoint = endpoint;
          o.model = modelAt(rr, a.next, adoption, releases);
          const tx = synthPrompt(rr, pools, rr.pick(templates));
          tx.system = system;
          o.text = tx;
          o.maxTokens = 2048;
          o.temperature = 1;
          o.p429 = 0.02;
        }),
      );
    }
  },
};

const enterpriseRag: Archetype = {
  name: 'enterprise_rag',
  label: 'legit',
  campaign: null,
  unit: 'account',
  summary:
    'enterprise retrieval apps: long inputs of retrieved documents, office hours, employees as end users',
  build(ctx, n) {
    const { period, pools, releases } = ctx;
    for (let i = 0; i < n; i++) {
      const r = ctx.rng.fork(`u${i}`);
      const place = pickPlace(r);
      const b = brand(r);
      const org = orgName(r, b);
      const acc = account(ctx, this, {
        pathway: 'enterprise',
        country: place.country,
        emailDomain: companyDomain(r, b),
        verified: true,
        createdAt: period.start - r.uniform(30, 600) * DAY,
        orgName: org,
        trust: r.chance(0.4) ? 'known_customer' : 'none',
        keys: r.range(1, 3),
      });
      const client = pickClient(r, { openaiPy: 0.3, anthropicPy: 0.3, raw: 0.2, openaiJs: 0.2 });
      const egress = cloudPool(ctx, r, r.range(1, 4), [
        r.weighted(['microsoft', 'amazon', 'google'] as const, [0.5, 0.35, 0.15]),
      ]);
      const endpoint = endpointFor(r, client);
      const system = ragSystemPrompt(r, org);
      const employees = r.chance(0.6) ? Math.round(r.lognormal(400, 1)) : 0;
      const salt = r.u32();
      const adoption = slowAdoption(r, 'pro');
      const t = timing({
        perDay: Math.min(5000, r.lognormal(150, 0.9)),
        windows: whole(period),
        profile: PROFILES.office,
        utcOffset: place.utcOffset,
        weekend: 0.15,
        sessionMean: 2,
        gapMedianMs: 60_000,
      });
      ctx.actors.push(
        new ProcessActor(r, t, (o, a) => {
          const rr = a.rng;
          o.account = acc;
          o.key = acc.keys[0] as string;
          o.ip = rr.pick(egress);
          o.client = client;
          o.endpoint = endpoint;
          o.model = modelAt(rr, a.next, adoption, releases);
          if (employees > 0) o.endUser = endUserId(0, salt, skewedIndex(rr, employees));
          const tx = ragPrompt(rr, pools);
          tx.system = system;
          o.text = tx;
          o.maxTokens = 1024;
          o.temperature = 0;
        }),
      );
    }
  },
};

const natOrg: Archetype = {
  name: 'nat_org',
  label: 'legit',
  campaign: null,
  unit: 'organization (many accounts)',
  summary: 'universities and companies behind one NAT/VPN egress: many accounts, one or two IPs',
  build(ctx, n) {
    const { period, pools, releases } = ctx;
    for (let i = 0; i < n; i++) {
      const r = ctx.rng.fork(`u${i}`);
      const place = pickPlace(r);
      const uni = r.chance(0.6);
      const b = brand(r);
      const domain = uni ? universityDomain(r, place.country) : companyDomain(r, b);
      const org = uni ? undefined : orgName(r, b);
      const members = Math.max(5, Math.min(400, Math.round(r.lognormal(30, 0.8))));
      const egress = uni
        ? ctx.ips.residentialBlock(r, r.range(1, 2))
        : r.chance(0.5)
          ? cloudPool(ctx, r, r.range(1, 2), [r.pick(['amazon', 'microsoft'] as const)])
          : [ctx.ips.residential(r)];
      const orgCard = !uni && r.chance(0.5) ? ctx.ids.payment() : undefined;
      const created = period.start - r.uniform(10, 400) * DAY;
      for (let m = 0; m < members; m++) {
        const rm = r.fork(`m${m}`);
        const spec: AccountSpec = {
          pathway: uni
            ? rm.chance(0.8)
              ? 'education'
              : 'research'
            : rm.weighted<Pathway>(['self_serve', 'startup', 'enterprise'], [0.5, 0.2, 0.3]),
          country: place.country,
          emailDomain: domain,
          verified: rm.chance(0.3),
          createdAt: created + rm.uniform(0, 200) * DAY,
          keys: rm.range(1, 2),
        };
        if (orgCard !== undefined) spec.payment = orgCard;
        if (org !== undefined) spec.orgName = org;
        if (spec.createdAt > period.start) spec.createdAt = period.start - rm.uniform(0, 5) * DAY;
        const acc = account(ctx, this, spec);
        const client = pickClient(rm, DEV_CLIENT_MIX);
        const endpoint = endpointFor(rm, client);
        const adoption = slowAdoption(rm, rm.chance(0.5) ? 'pro' : 'flash');
        const mix = uni ? [0.35, 0.2, 0.1, 0.25, 0.1] : [0.45, 0.05, 0.1, 0.3, 0.1];
        const t = timing({
          perDay: Math.min(200, rm.lognormal(2.5, 1.1)),
          windows: whole(period),
          profile: uni ? PROFILES.student : PROFILES.office,
          utcOffset: place.utcOffset,
          weekend: uni ? 0.7 : 0.2,
          sessionMean: 4,
          gapMedianMs: 60_000,
          gapSigma: 1,
        });
        ctx.actors.push(
          new ProcessActor(rm, t, (o, a) => {
            const rr = a.rng;
            o.account = acc;
            o.key = rr.pick(acc.keys);
            o.ip = rr.pick(egress);
            o.client = client;
            o.endpoint = endpoint;
            o.model = modelAt(rr, a.next, adoption, releases);
            const p = humanPrompt(rr, pools, mix);
            o.text = {
              prompt: p.text,
              promptBytes: p.bytes,
              cap: capOfHuman(p),
              turns: 2 * a.sessionStep + 1,
              reasoning: rr.chance(0.1),
            };
            o.maxTokens = 4096;
          }),
        );
      }
    }
  },
};

const genuineReseller: Archetype = {
  name: 'genuine_reseller',
  label: 'legit',
  campaign: null,
  unit: 'account',
  summary: 'routers and resellers whose customers are genuine: many end users, every kind of prompt, 24/7',
  build(ctx, n) {
    const { period, pools, releases } = ctx;
    for (let i = 0; i < n; i++) {
      const r = ctx.rng.fork(`u${i}`);
      const place = pickPlace(r);
      const b = brand(r);
      const acc = account(ctx, this, {
        pathway: 'reseller',
        country: place.country,
        emailDomain: companyDomain(r, b),
        verified: true,
        createdAt: period.start - r.uniform(60, 600) * DAY,
        orgName: orgName(r, b),
        trust: r.chance(0.4) ? 'partner' : 'none',
        keys: r.range(2, 8),
      });
      const clients = [pickClient(r, { router: 1 }), pickClient(r, { router: 0.5, openaiJs: 0.5 })];
      const providers = [r.pick(CLOUD_PROVIDERS), r.pick(CLOUD_PROVIDERS)];
      const egress = cloudPool(ctx, r, r.range(4, 20), providers);
      const users = Math.round(r.lognormal(20_000, 1));
      const salt = r.u32();
      const forwards = r.chance(0.4);
      const userIps: string[] = [];
      if (forwards) for (let k = 0; k < 500; k++) userIps.push(ctx.ips.residential(r));
      const endpoints = [endpointFor(r, clients[0] as Client), 'chat.completions'];
      const pro: Adoption = { tier: 'pro', delay: 0, tau: 1 * DAY, share: 0.6 };
      const flash: Adoption = { tier: 'flash', delay: 0, tau: 1 * DAY, share: 0.6 };
      let user = 0;
      const t = timing({
        perDay: Math.min(50_000, r.lognormal(2500, 1)),
        windows: whole(period),
        profile: PROFILES.consumer,
        utcOffset: r.pick(PLACES).utcOffset,
        weekend: 1.1,
        sessionMean: 2,
        gapMedianMs: 30_000,
      });
      ctx.actors.push(
        new ProcessActor(r, t, (o, a) => {
          const rr = a.rng;
          if (a.sessionStep === 0) user = skewedIndex(rr, users);
          o.account = acc;
          o.key = rr.pick(acc.keys);
          o.ip = rr.pick(egress);
          const c = rr.chance(0.8) ? 0 : 1;
          o.client = clients[c] as Client;
          o.endpoint = endpoints[c] as string;
          o.model = modelAt(rr, a.next, rr.chance(0.5) ? pro : flash, releases);
          o.endUser = endUserId(1, salt, user);
          if (forwards) o.forwardedFor = userIps[user % userIps.length];
          const p = humanPrompt(rr, pools, [0.3, 0.1, 0.2, 0.25, 0.15]);
          o.text = {
            prompt: p.text,
            promptBytes: p.bytes,
            cap: capOfHuman(p),
            turns: 2 * a.sessionStep + 1,
            reasoning: rr.chance(0.1),
          };
          o.maxTokens = rr.pick([1024, 4096, 8192]);
          o.temperature = rr.chance(0.5) ? 0.7 : undefined;
        }),
      );
    }
  },
};

// ---- attack archetypes ---------------------------------------------------------------------------

/** The campaign's operators' real UTC offset. The Feb 2026 reports attribute the three campaigns
 * to labs in China: UTC+8 (stated assumption); the billing countries they declare differ. */
const ATTACKER_UTC = 8;

function attackerAccount(
  ctx: BuildCtx,
  arch: Archetype,
  r: Rng,
  spec: Partial<AccountSpec> & Pick<AccountSpec, 'createdAt'>,
): SimAccount {
  const country = spec.country ?? r.pick(DECLARED_COUNTRIES);
  const full: AccountSpec = {
    pathway: spec.pathway ?? 'self_serve',
    country,
    emailDomain: spec.emailDomain ?? (r.chance(0.7) ? r.pick(FREEMAIL.slice(0, 6)) : companyDomain(r)),
    verified: spec.verified ?? r.chance(0.2),
    createdAt: spec.createdAt,
    keys: spec.keys ?? r.range(1, 2),
  };
  if (spec.payment !== undefined) full.payment = spec.payment;
  if (spec.orgName !== undefined) full.orgName = spec.orgName;
  return account(ctx, arch, full);
}

const reasoningHarvest: Archetype = {
  name: 'reasoning_harvest',
  label: 'attack',
  campaign: 'campaign-reasoning',
  unit: 'account',
  summary:
    'CoT elicitation, rubric grading and censorship-safe rewrites; synchronized accounts, shared payment, load-balanced',
  build(ctx, n) {
    const { period, pools, releases } = ctx;
    const r = ctx.rng.fork('campaign');
    const payments = Array.from({ length: Math.max(1, Math.ceil(n / 12)) }, () => ctx.ids.payment());
    const ipPool = cloudPool(ctx, r, Math.max(2, Math.ceil(n / 5)), [
      'oracle',
      'vultr',
      'digitalocean',
      'amazon',
    ]);
    const shells = Array.from({ length: 3 }, () => companyDomain(r));
    const base = period.start - r.uniform(20, 60) * DAY;
    const client = r.pick([...CLIENTS.openaiPy.slice(3, 5), ...CLIENTS.anthropicPy.slice(4, 6)]);
    const endpoint = endpointFor(r, client);
    const accs: { acc: SimAccount; ips: string[] }[] = [];
    for (let i = 0; i < n; i++) {
      const ra = r.fork(`u${i}`);
      const acc = attackerAccount(ctx, this, ra, {
        pathway: ra.weighted<Pathway>(['self_serve', 'startup', 'research'], [0.5, 0.3, 0.2]),
        emailDomain: ra.chance(0.6) ? ra.pick(['gmail.com', 'outlook.com', 'proton.me']) : ra.pick(shells),
        payment: payments[i % payments.length] as string,
        createdAt: base + ra.uniform(0, 48) * HOUR,
      });
      accs.push({ acc, ips: [ra.pick(ipPool), ra.pick(ipPool)] });
    }
    const adoption: Adoption = { tier: 'pro', delay: r.uniform(6, 30) * HOUR, tau: 0.5 * DAY, share: 0.7 };
    let k = 0;
    const t = timing({
      perDay: n * 90,
      windows: whole(period),
      profile: PROFILES.automated,
      utcOffset: ATTACKER_UTC,
      weekend: 0.9,
      regularJitter: 0.15,
    });
    ctx.actors.push(
      new ProcessActor(r.fork('controller'), t, (o, a) => {
        const rr = a.rng;
        const cur = accs[k++ % accs.length] as { acc: SimAccount; ips: string[] };
        o.account = cur.acc;
        o.key = cur.acc.keys[0] as string;
        o.ip = rr.pick(cur.ips);
        o.client = client;
        o.endpoint = endpoint;
        o.model = modelAt(rr, a.next, adoption, releases);
        const x = rr.next();
        let tx: Text;
        if (x < 0.55) {
          tx = cotElicitation(rr, pools);
          const s = rr.next();
          tx.system = s < 0.5 ? personaSystem(rr) : s < 0.6 ? debugSystem(rr) : undefined;
        } else if (x < 0.8) tx = rubricGrading(rr, pools);
        else tx = censorshipRewrite(rr);
        o.text = tx;
        o.maxTokens = 16000;
        o.temperature = 0.6;
        o.p429 = 0.01;
        o.outScale = 1.6;
      }),
    );
  },
};

const multiPathway: Archetype = {
  name: 'multipathway_harvest',
  label: 'attack',
  campaign: 'campaign-multipathway',
  unit: 'account',
  summary:
    'agentic reasoning, tool use, coding, data analysis, computer-use and vision over varied account types and pathways',
  build(ctx, n) {
    const { period, pools, releases } = ctx;
    const r = ctx.rng.fork('campaign');
    const unis = Array.from({ length: 8 }, () => universityDomain(r, r.pick(['US', 'GB', 'SG', 'AU', 'KR'])));
    const phase2 = period.start + 0.6 * (period.end - period.start);
    let lastPayment = '';
    for (let i = 0; i < n; i++) {
      const ra = r.fork(`u${i}`);
      const place = pickPlace(ra);
      const pathway = ra.weighted<Pathway>(
        ['education', 'startup', 'research', 'self_serve', 'enterprise'],
        [0.3, 0.25, 0.2, 0.2, 0.05],
      );
      const spec: Partial<AccountSpec> & Pick<AccountSpec, 'createdAt'> = {
        pathway,
        country: place.country,
        emailDomain:
          pathway === 'education' || pathway === 'research'
            ? ra.pick(unis)
            : ra.chance(0.5)
              ? ra.pick(FREEMAIL)
              : companyDomain(ra),
        verified: ra.chance(0.4),
        createdAt: period.start - ra.uniform(5, 120) * DAY,
      };
      if (lastPayment !== '' && ra.chance(0.25)) spec.payment = lastPayment;
      const acc = attackerAccount(ctx, this, ra, spec);
      lastPayment = acc.payment;
      const resi = ra.chance(0.45);
      const ips = resi
        ? [ctx.ips.residential(ra), ctx.ips.residential(ra), ctx.ips.residential(ra)]
        : cloudPool(ctx, ra, ra.range(1, 3), [ra.pick(CLOUD_PROVIDERS)]);
      const client = pickClient(ra, DEV_CLIENT_MIX);
      const endpoint = endpointFor(ra, client);
      const sys = ra.next();
      const adoption = slowAdoption(ra, 'pro');
      const t = timing({
        perDay: ra.lognormal(150, 0.5),
        windows: whole(period),
        profile: PROFILES.automated,
        utcOffset: ATTACKER_UTC,
        weekend: 0.9,
        sessionMean: 8,
        gapMedianMs: 5_000,
      });
      ctx.actors.push(
        new ProcessActor(ra, t, (o, a) => {
          const rr = a.rng;
          o.account = acc;
          o.key = rr.pick(acc.keys);
          o.ip = rr.pick(ips);
          o.client = client;
          o.endpoint = endpoint;
          o.model = modelAt(rr, a.next, adoption, releases);
          const tx = agenticHarvest(rr, pools, a.next >= phase2);
          tx.system = sys < 0.5 ? personaSystem(rr) : sys < 0.8 ? rr.pick(AGENT_HARVEST_SYSTEM) : undefined;
          o.text = tx;
          o.maxTokens = 16384;
          o.p429 = 0.01;
          o.outScale = 1.5;
        }),
      );
    }
  },
};

const agenticCoding: Archetype = {
  name: 'agentic_coding_harvest',
  label: 'attack',
  campaign: 'campaign-agentic-coding',
  unit: 'account',
  summary:
    'massive agentic-coding harvest in clusters; moves ~half its traffic to the new flagship within 24 h of release',
  build(ctx, n) {
    const { period, pools, releases } = ctx;
    const r = ctx.rng.fork('campaign');
    /** Accounts per cluster sharing one egress pool, payment pool and client (assumption). */
    const CLUSTER = 50;
    const clusters = Math.ceil(n / CLUSTER);
    for (let c = 0; c < clusters; c++) {
      const rc = r.fork(`c${c}`);
      const ips = cloudPool(ctx, rc, rc.range(6, 12), [rc.pick(CLOUD_PROVIDERS)]);
      const payments = Array.from({ length: 5 }, () => ctx.ids.payment());
      const client = pickClient(rc, { anthropicPy: 0.5, anthropicJs: 0.25, openaiPy: 0.25 });
      const endpoint = endpointFor(rc, client);
      const tools = rc.range(12, 24);
      const system = rc.pick(AGENT_HARVEST_SYSTEM);
      const wave = period.start - rc.uniform(3, 45) * DAY;
      // The pivot: within 24 h of the flagship's release, about half the traffic moves to it.
      const adoption: Adoption = {
        tier: 'pro',
        delay: rc.uniform(2, 20) * HOUR,
        tau: 1 * HOUR,
        share: rc.uniform(0.42, 0.58),
      };
      for (let i = c * CLUSTER; i < Math.min(n, (c + 1) * CLUSTER); i++) {
        const ra = rc.fork(`u${i}`);
        const acc = attackerAccount(ctx, this, ra, {
          pathway: ra.weighted<Pathway>(
            ['self_serve', 'startup', 'education', 'research'],
            [0.4, 0.35, 0.15, 0.1],
          ),
          payment: ra.pick(payments),
          createdAt: wave + ra.uniform(0, 72) * HOUR,
        });
        let task: PromptRecord = pools.tasks.humaneval[0] as PromptRecord;
        const t = timing({
          perDay: ra.lognormal(75, 0.4),
          windows: whole(period),
          profile: PROFILES.flat,
          utcOffset: ATTACKER_UTC,
          sessionMean: 20,
          gapMedianMs: 4_000,
          gapSigma: 0.5,
        });
        ctx.actors.push(
          new ProcessActor(ra, t, (o, a) => {
            const rr = a.rng;
            const step = a.sessionStep;
            if (step === 0) task = codingHarvestTask(rr, pools);
            o.account = acc;
            o.key = acc.keys[0] as string;
            o.ip = rr.pick(ips);
            o.client = client;
            o.endpoint = endpoint;
            o.model = modelAt(rr, a.next, adoption, releases);
            const tx = codingHarvestStep(rr, step, task);
            tx.system = system;
            tx.toolCount = tools;
            tx.turns = Math.min(400, 2 * step + 1);
            tx.extraInput = 1200 + step * 700;
            tx.reasoning = rr.chance(0.6);
            o.text = tx;
            o.maxTokens = 32000;
            o.p429 = 0.015;
            o.outScale = 1.4;
          }),
        );
      }
    }
  },
};

const hydra: Archetype = {
  name: 'hydra_reseller',
  label: 'attack',
  campaign: 'campaign-hydra',
  unit: 'account slot (banned accounts are replaced)',
  summary:
    'proxy reseller hydra cluster: pool of accounts over shared proxies, banned ones replaced, harvest mixed with resold genuine traffic',
  build(ctx, n) {
    const { period, pools, releases } = ctx;
    const r = ctx.rng.fork('network');
    const proxies = cloudPool(ctx, r, Math.max(8, Math.round(n / 30)), [
      'vultr',
      'digitalocean',
      'linode',
      'oracle',
      'amazon',
      'google',
      'microsoft',
    ]);
    const unis = Array.from({ length: 12 }, () =>
      universityDomain(r, r.pick(['US', 'GB', 'SG', 'AU', 'CA'])),
    );
    const payments: string[] = [];
    const customers = 50_000;
    const custSalt = r.u32();
    const harvestUsers = ['0', '1', '2'].map((x) => endUserId(0, custSalt ^ 0x1234567, Number(x)));
    const harvestAdoption: Adoption = {
      tier: 'pro',
      delay: r.uniform(2, 20) * HOUR,
      tau: 2 * HOUR,
      share: 0.5,
    };
    for (let s = 0; s < n; s++) {
      const rs = r.fork(`slot${s}`);
      const chain: SimAccount[] = [];
      const windows: Window[] = [];
      let created = period.start - rs.uniform(0, 10) * DAY;
      while (created < period.end) {
        if (payments.length === 0 || rs.chance(1 / 8)) payments.push(ctx.ids.payment());
        const pathway = rs.weighted<Pathway>(
          ['education', 'startup', 'research', 'self_serve'],
          [0.35, 0.25, 0.15, 0.25],
        );
        const acc = attackerAccount(ctx, this, rs, {
          pathway,
          emailDomain:
            pathway === 'education' || pathway === 'research' ? rs.pick(unis) : rs.pick(FREEMAIL.slice(0, 6)),
          payment: rs.pick(payments),
          createdAt: created,
        });
        const first = Math.max(period.start, created + rs.uniform(2, 30) * MINUTE);
        const banned = first + rs.lognormal(8, 0.7) * DAY;
        if (first < period.end) {
          chain.push(acc);
          windows.push({ start: first, end: Math.min(period.end, banned), mult: 1 });
        }
        // A banned account is replaced within minutes (THREAT-MODEL.md).
        created = banned + rs.uniform(1, 30) * MINUTE;
      }
      if (chain.length === 0) continue;
      const harvestShare = rs.uniform(0.5, 0.85);
      const client = pickClient(rs, { router: 0.7, openaiPy: 0.3 });
      const endpoint = endpointFor(rs, client);
      const t = timing({
        perDay: rs.lognormal(22, 0.5),
        windows,
        profile: PROFILES.automated,
        utcOffset: ATTACKER_UTC,
        weekend: 0.95,
      });
      ctx.actors.push(
        new ProcessActor(rs, t, (o, a) => {
          const rr = a.rng;
          const acc = chain[a.windowIndex] as SimAccount;
          o.account = acc;
          o.key = rr.pick(acc.keys);
          o.ip = rr.pick(proxies);
          o.client = client;
          o.endpoint = endpoint;
          if (rr.chance(harvestShare)) {
            o.harvest = true;
            o.model = modelAt(rr, a.next, harvestAdoption, releases);
            const x = rr.next();
            let tx: Text;
            if (x < 0.4) {
              tx = cotElicitation(rr, pools);
              tx.system = rr.chance(0.6) ? personaSystem(rr) : undefined;
            } else if (x < 0.7) tx = agenticHarvest(rr, pools, false);
            else if (x < 0.85) tx = rubricGrading(rr, pools);
            else {
              tx = codingHarvestStep(rr, 0, codingHarvestTask(rr, pools));
              tx.system = rr.pick(AGENT_HARVEST_SYSTEM);
            }
            o.text = tx;
            if (rr.chance(0.5)) o.endUser = rr.pick(harvestUsers);
            o.maxTokens = 16000;
            o.outScale = 1.4;
          } else {
            o.harvest = false;
            o.model = modelAt(
              rr,
              a.next,
              rr.chance(0.5) ? harvestAdoption : slowAdoption(rr, 'flash'),
              releases,
            );
            const p = humanPrompt(rr, pools, [0.3, 0.1, 0.2, 0.25, 0.15]);
            o.text = { prompt: p.text, promptBytes: p.bytes, cap: capOfHuman(p), turns: rr.range(1, 7) };
            o.endUser = endUserId(0, custSalt, skewedIndex(rr, customers));
            o.maxTokens = 4096;
          }
          o.p429 = 0.02;
        }),
      );
    }
  },
};

const thinkingLang: Archetype = {
  name: 'thinking_language',
  label: 'attack',
  campaign: 'campaign-thinking-language',
  unit: 'account',
  summary:
    "instructs the model to write its thinking in the user's language, over many languages, to get full reasoning",
  build(ctx, n) {
    const { period, pools, releases } = ctx;
    const r = ctx.rng.fork('campaign');
    const ipPool = cloudPool(ctx, r, Math.max(2, Math.ceil(n / 4)), ['google', 'amazon', 'digitalocean']);
    const base = period.start - r.uniform(10, 40) * DAY;
    const client = r.pick([...CLIENTS.openaiPy, ...CLIENTS.raw.slice(2, 4)]);
    const endpoint = endpointFor(r, client);
    const utc = r.pick([3, 8]);
    for (let i = 0; i < n; i++) {
      const ra = r.fork(`u${i}`);
      const acc = attackerAccount(ctx, this, ra, { createdAt: base + ra.uniform(0, 96) * HOUR });
      const langs = Array.from({ length: ra.range(3, 6) }, () => ra.int(THINK_LANGS.length));
      const ip = ra.pick(ipPool);
      const adoption = slowAdoption(ra, 'pro');
      const t = timing({
        perDay: ra.lognormal(55, 0.4),
        windows: whole(period),
        profile: PROFILES.automated,
        utcOffset: utc,
        weekend: 0.9,
      });
      ctx.actors.push(
        new ProcessActor(ra, t, (o, a) => {
          const rr = a.rng;
          o.account = acc;
          o.key = acc.keys[0] as string;
          o.ip = ip;
          o.client = client;
          o.endpoint = endpoint;
          o.model = modelAt(rr, a.next, adoption, releases);
          const tx = thinkingLanguage(rr, pools, rr.pick(langs));
          if (rr.chance(0.3)) tx.system = personaSystem(rr);
          o.text = tx;
          o.maxTokens = 16000;
          o.outScale = 1.5;
        }),
      );
    }
  },
};

const lowSlow: Archetype = {
  name: 'low_and_slow',
  label: 'attack',
  campaign: 'campaign-low-slow',
  unit: 'account',
  summary:
    'evasive: aged accounts, one residential IP each, per-request paraphrase, human-like jittered diurnal timing',
  build(ctx, n) {
    const { period, pools, releases } = ctx;
    const r = ctx.rng.fork('campaign');
    const len = period.end - period.start;
    for (let i = 0; i < n; i++) {
      const ra = r.fork(`u${i}`);
      const place = pickPlace(ra);
      const acc = attackerAccount(ctx, this, ra, {
        pathway: ra.chance(0.8) ? 'self_serve' : 'startup',
        country: place.country,
        emailDomain: ra.chance(0.8) ? ra.pick(FREEMAIL) : companyDomain(ra),
        verified: ra.chance(0.3),
        // aged before use: opened 30–150 days before the campaign starts using it
        createdAt: period.start - ra.uniform(30, 150) * DAY,
        keys: ra.range(1, 3),
      });
      const ip = ctx.ips.residential(ra);
      const client = pickClient(ra, DEV_CLIENT_MIX);
      const endpoint = endpointFor(ra, client);
      const adoption = slowAdoption(ra, ra.chance(0.7) ? 'pro' : 'flash');
      const maxTokens = ra.pick([4096, 8192, 16000]);
      const temperature = ra.chance(0.5) ? undefined : ra.uniform(0.3, 1);
      const t = timing({
        perDay: ra.lognormal(20, 0.5),
        windows: [{ start: period.start + ra.uniform(0, 0.3) * len, end: period.end, mult: 1 }],
        // shaped to the declared country's day (the adaptation), not the operators' own
        profile: PROFILES.developer,
        utcOffset: place.utcOffset + ra.uniform(-1, 1),
        weekend: 0.6,
        sessionMean: 3,
        gapMedianMs: 90_000,
        gapSigma: 1,
      });
      ctx.actors.push(
        new ProcessActor(ra, t, (o, a) => {
          const rr = a.rng;
          o.account = acc;
          o.key = rr.pick(acc.keys);
          o.ip = ip;
          o.client = client;
          o.endpoint = endpoint;
          o.model = modelAt(rr, a.next, adoption, releases);
          const tx = lowAndSlow(rr, pools);
          tx.turns = 2 * a.sessionStep + 1;
          o.text = tx;
          o.maxTokens = maxTokens;
          o.temperature = temperature;
        }),
      );
    }
  },
};

export const ARCHETYPES: readonly Archetype[] = [
  indieDev,
  chatApp,
  codingAgent,
  evalHarness,
  synthData,
  enterpriseRag,
  natOrg,
  genuineReseller,
  reasoningHarvest,
  multiPathway,
  agenticCoding,
  hydra,
  thinkingLang,
  lowSlow,
];

export const ARCHETYPE_NAMES = ARCHETYPES.map((a) => a.name);

export function archetype(name: string): Archetype {
  const a = ARCHETYPES.find((x) => x.name === name);
  if (!a) throw new Error(`unknown archetype ${name}`);
  return a;
}
