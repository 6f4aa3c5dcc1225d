/** Engine: the drivers of the stages. Batch (`hunt`) today; the incremental one (`watch`) next. */
export type { HuntOptions, HuntResult, TextMode } from './hunt.js';
export {
  HUNT_STAGES,
  hunt,
  MAX_ARTIFACT_ACCOUNTS,
  TEXT_FIRST_SAMPLE,
  TEXT_SAMPLE_PER_ACCOUNT,
} from './hunt.js';
export type { HuntFiles } from './output.js';
export { reportInput, writeHuntOutputs } from './output.js';
export type { ExchangeVerdict, ResellerAccount, ResellerResult } from './reseller.js';
export { judgeResellers, MULTI_USER_MIN_END_USERS, UNIT_HARVEST_SHARE } from './reseller.js';
