/** Engine: the drivers of the stages: batch (`hunt`) and incremental (`watch`), both over `judge`. */

export type { Release } from './account-state.js';
export { AccountState, ARTIFACT_VALUES_PER_KIND } from './account-state.js';
export type { HuntOptions, HuntResult, TextMode } from './hunt.js';
export {
  HUNT_STAGES,
  hunt,
  MAX_ARTIFACT_ACCOUNTS,
  TEXT_FIRST_SAMPLE,
  TEXT_SAMPLE_PER_ACCOUNT,
} from './hunt.js';
export type { JudgeInput, Judgement } from './judge.js';
export { JUDGE_STAGES, judge } from './judge.js';
export type { HuntFiles } from './output.js';
export { reportInput, writeHuntOutputs } from './output.js';
export type { ExchangeVerdict, ResellerAccount, ResellerResult } from './reseller.js';
export { judgeResellers, MULTI_USER_MIN_END_USERS, UNIT_HARVEST_SHARE } from './reseller.js';
export { DistinctCounter, EXACT_DISTINCT, hash32, LogHistogram } from './sketch.js';
export type { WatchOptions, WatchStats } from './watch.js';
export { QUICK_EVERY, RELINK_EVERY_MS, WatchEngine } from './watch.js';
