/**
 * Text stage: prompt normalisation and the published 64-bit prompt fingerprint (dgfp1,
 * docs/fingerprint.md) used for near-duplicate detection when raw prompts are not shipped;
 * template skeletons, harvesting-hallmark detectors (elicitation) and the capability classifier.
 */

export type {
  Capability,
  CapabilityHints,
  CapabilityModel,
  CapabilityModelFile,
} from './capability.js';
export {
  CAPABILITY_MODEL_VERSION,
  CapabilityModelError,
  capabilityFeatures,
  capabilityModel,
  capabilityScores,
  classifyCapability,
  decodeCapabilityModel,
  FEATURE_CHARS,
  modelCapability,
} from './capability.js';
export type { Elicitation, ElicitationKind } from './elicitation.js';
export {
  detectElicitation,
  ELICITATION_BIT,
  ELICITATION_KINDS,
  elicitationKinds,
  hasElicitation,
  NO_ELICITATION,
} from './elicitation.js';
export type { FingerprintHalves } from './fingerprint.js';
export {
  EMPTY_FINGERPRINT,
  FINGERPRINT_VERSION,
  fingerprintTokenHash,
  fingerprintTokensHalves,
  formatFingerprint,
  hammingDistance,
  hammingDistanceHalves,
  isFingerprint,
  NEAR_DUPLICATE_DISTANCE,
  parseFingerprint,
  promptFingerprint,
  promptFingerprintHalves,
} from './fingerprint.js';
export { normalizePrompt, normalizeText, promptTokens } from './normalize.js';
export { HEAD_TOKENS, promptSkeleton, SKELETON_VERSION, skeletonHash, TAIL_TOKENS } from './skeleton.js';
