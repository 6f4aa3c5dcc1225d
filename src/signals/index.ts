/**
 * Signals stage: per-account behaviour over the stored period, each compared with the
 * account's peers (size, pathway, endpoint), plus the per-account summary of the text stage.
 */
export type { AccountProfile, Signal, SignalBaselines, SignalCode, SignalInput } from './account.js';
export {
  ABUSED_PATHWAYS,
  accountSignals,
  HARVEST_CAPABILITIES,
  SIGNAL_CODES,
  STRONG_ELICITATION_FLOOR,
  signalBaselines,
} from './account.js';
export type { Rhythm } from './geo.js';
export { COUNTRY_UTC_OFFSET, hourFlatness, impliedRhythm, offsetDistance, WORKING_DAY } from './geo.js';
export type { PeerKey, RobustStats } from './peers.js';
export { excess, MIN_PEERS, PeerBaselines, sizeBucket, zAbove } from './peers.js';
export type { ExchangeText, TextSummary } from './text.js';
export {
  addFingerprint,
  addToSummary,
  analyzeExchange,
  CACHE_MAX_PROMPT_CHARS,
  createTextAnalyzer,
  emptyTextSummary,
  PROFILE_MAX_FINGERPRINTS,
  shrunkShare,
  templateKeys,
  topCapability,
  topTemplateShare,
} from './text.js';
