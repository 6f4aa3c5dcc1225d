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
export type { ProfileInput, ProfileLinks } from './profile.js';
export {
  ownBitCounts,
  PROFILE_LINK_Z,
  PROFILE_MAX_CANDIDATES,
  PROFILE_MAX_LINKS,
  PROFILE_MIN_PROMPTS,
  PROFILE_MIN_SELF_Z,
  PROFILE_RARE_DEGREE,
  profileLinks,
  selfConcentration,
} from './profile.js';
export { UnionFind } from './union-find.js';
