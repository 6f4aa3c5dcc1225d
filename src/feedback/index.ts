/**
 * Feedback stage: the analysts' decisions taken in the dashboard (`distillguard serve`), as the
 * `feedback.json` document that hunt, watch and the gateway read (docs/feedback.md).
 */
export type { FeedbackLoad } from './load.js';
export { loadFeedback, writeFeedback } from './load.js';
export type { ActionAnswer, FeedbackIndex, FeedbackTarget, ReviewAnswer } from './lookup.js';
export { CONFIRMED_INDICATOR_WEIGHT, DISMISSED_INDICATOR_WEIGHT, indexFeedback } from './lookup.js';
export type {
  EnforcementAction,
  FeedbackIssue,
  FeedbackParse,
  ReviewStatus,
  Trust,
} from './schema.js';
export {
  AccountFeedback,
  CampaignFeedback,
  ENFORCEMENT_ACTIONS,
  emptyFeedback,
  FEEDBACK_VERSION,
  FeedbackFile,
  parseFeedback,
  REVIEW_STATUSES,
} from './schema.js';
