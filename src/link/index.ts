/**
 * Link stage: the account–artifact graph weighted by rarity (FRAUDAR-style), and its
 * clustering into candidate campaigns (strong-edge components, Louvain inside big ones).
 */

export { clusterAccounts, LOUVAIN_MIN_SIZE, louvain } from './cluster.js';
export type { Artifact, Edge, LinkGraph, LinkKind } from './graph.js';
export {
  artifactWeight,
  buildLinkGraph,
  CLIQUE_MAX,
  KIND_PAIR_CAP,
  KIND_WEIGHT,
  LINK_KINDS,
  SPECIFIC_KINDS,
  STRONG_EDGE,
  strongComponents,
} from './graph.js';
export type { PoolMatch, ProfileInput, ProfileLinks, ProfilePool } from './profile.js';
export {
  normalQuantile,
  ownBitCounts,
  POOL_FAMILY_ALPHA,
  POOL_MIN_PROMPTS,
  PROFILE_LINK_Z,
  PROFILE_MAX_CANDIDATES,
  PROFILE_MAX_LINKS,
  PROFILE_MIN_COSINE,
  PROFILE_MIN_PROMPTS,
  PROFILE_MIN_SELF_Z,
  PROFILE_RARE_DEGREE,
  poolMatches,
  profileLinks,
  selfConcentration,
} from './profile.js';
export type { HourBits, HourOverlap, SynchronyLinks } from './synchrony.js';
export {
  addHour,
  emptyHourBits,
  hourBitsOf,
  hourCount,
  hourOverlap,
  SYNC_MAX_HOLDERS,
  SYNC_MIN_SHARED_HOURS,
  SYNC_MIN_Z,
  SYNC_WINDOW_HOURS,
  synchronyLinks,
} from './synchrony.js';
export { UnionFind } from './union-find.js';
