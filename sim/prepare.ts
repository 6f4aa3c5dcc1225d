/**
 * Validating a run's options and building its scenario: releases, accounts and actors. Pure and
 * deterministic for (scenario, seed, scale), so the main thread and every generator thread
 * (shard-worker.ts) build exactly the same actors and each runs its own share of them.
 */
import { ARCHETYPES } from './archetypes.js';
import { loadPrompts } from './data.js';
import { type Actor, makeReleases, type Period, type Releases, type SimAccount } from './engine.js';
import { IdFactory, IpSpace } from './infra.js';
import { Rng } from './rng.js';
import { findScenario, periodOf, SCENARIO_NAMES, type Scenario } from './scenarios.js';

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

/** What identifies a run's traffic (the output does not depend on anything else). */
export interface BuildOptions {
  scenario: string;
  seed: number;
  scale?: number;
}

export interface Prepared {
  scenario: Scenario;
  scale: number;
  privacy: boolean;
  period: Period;
  releases: Releases;
  root: Rng;
  /** In build order (the order every thread builds them in). */
  accounts: SimAccount[];
  /** In build order; `idx` is the position (the heap's tie-break). */
  actors: Actor[];
}

export function checkOptions(options: BuildOptions): { scenario: Scenario; scale: number } {
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
  return { scenario, scale };
}

/** A run's frame: everything but its accounts and actors (cheap). */
export type Frame = Omit<Prepared, 'accounts' | 'actors'>;

export function frame(options: BuildOptions): Frame {
  const { scenario, scale } = checkOptions(options);
  const privacy = scenario.privacy ?? false;
  const period = periodOf(scenario);
  const releases = makeReleases(period);
  const root = new Rng(options.seed, `sim:${scenario.stream ?? scenario.name}`);
  return { scenario, scale, privacy, period, releases, root };
}

export function prepare(options: BuildOptions): Prepared {
  const f = frame(options);
  const { scenario, scale, period, releases, root } = f;
  const pools = loadPrompts();
  const ips = new IpSpace();
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
  actors.forEach((a, i) => {
    a.idx = i;
  });
  return { ...f, accounts, actors };
}
