/**
 * Baselines of the quality benchmark: published or deployed detection methods, each run on
 * the same files a provider has (exchanges and accounts, never labels) and scored by
 * bench/quality. Each file names its paper and states its parameters.
 */

export { UnionFind } from '../../src/link/index.js';
export { accountAnomaly, CONTAMINATION, FEATURES, runAccountAnomaly } from './account-anomaly.js';
export type { EvilCohortOptions } from './evilcohort.js';
export { EVILCOHORT_DEFAULTS, evilCohort, runEvilCohort } from './evilcohort.js';
export type { IsolationForest } from './isolation-forest.js';
export {
  averagePathLength,
  fitIsolationForest,
  IFOREST_DEFAULTS,
  scoreIsolationForest,
} from './isolation-forest.js';
export type { Rand } from './rng.js';
export { mulberry32 } from './rng.js';
export type { SynchroTrapOptions } from './synchrotrap.js';
export { runSynchroTrap, SYNCHROTRAP_DEFAULTS, synchroTrap } from './synchrotrap.js';
export type { Baseline, BaselineInput, BaselineResult } from './verdicts.js';
export { writeVerdicts } from './verdicts.js';
export { QUOTA_QUANTILE, runVolumeQuota, volumeQuota } from './volume-quota.js';

import { accountAnomaly } from './account-anomaly.js';
import { evilCohort } from './evilcohort.js';
import { synchroTrap } from './synchrotrap.js';
import type { Baseline } from './verdicts.js';
import { volumeQuota } from './volume-quota.js';

/** Every baseline, in report order. */
export const BASELINES: readonly Baseline[] = [volumeQuota, evilCohort, synchroTrap, accountAnomaly];
