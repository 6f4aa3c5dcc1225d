/**
 * distillguard traffic simulator: `simulate(options)` writes exchanges.jsonl, accounts.jsonl,
 * releases.jsonl and labels.jsonl (formats.md v1) for a scenario, deterministically for a seed,
 * streaming exchanges in time order with memory bounded by the number of actors.
 */
export type { Archetype } from './archetypes.js';
export { ARCHETYPE_NAMES, ARCHETYPES } from './archetypes.js';
export { packageRoot } from './data.js';
export type { Scenario } from './scenarios.js';
export { findScenario, SCENARIO_NAMES, SCENARIOS } from './scenarios.js';
export type { ArchetypeSummary, ProgressInfo, SimulateOptions, SimulateSummary } from './simulate.js';
export { SimulateError, simulate } from './simulate.js';
