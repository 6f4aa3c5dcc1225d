/**
 * Text stage: prompt normalisation and the published 64-bit prompt fingerprint (dgfp1,
 * docs/fingerprint.md) used for near-duplicate detection when raw prompts are not shipped.
 */
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
