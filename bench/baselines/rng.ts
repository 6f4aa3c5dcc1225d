/** Seeded pseudo-random numbers for the baselines: the project's `Rng` port (src/rng). */
export type { Rng as Rand } from '../../src/rng/index.js';
export { mulberry32 } from '../../src/rng/index.js';
