/**
 * Scoring of distillguard's quality benchmark: a detector's verdicts (and optionally its
 * campaigns, alerts and exchange verdicts) against the simulator's ground truth.
 * Pure functions over in-memory records, and `scoreFiles` that reads them from disk.
 * Metric definitions and the JSON schema: docs/scoring.md.
 */
export type { AccountsReport, ArchetypeRow } from './accounts.js';
export { FPR_BUDGETS, scoreAccounts, scoreArchetypes } from './accounts.js';
export type { CampaignsReport, DetectedCampaignRow, SizeBucketRow, TrueCampaignRow } from './campaigns.js';
export { campaignsFromVerdicts, FOUND_SHARE, SIZE_BUCKETS, scoreCampaigns } from './campaigns.js';
export type { ScoreErrorCode } from './errors.js';
export { SCORE_ERROR_CODES, ScoreError } from './errors.js';
export type {
  ExchangeRow,
  ExchangesReport,
  ExchangeVerdictIndex,
  ExchangeVerdictRow,
  LiveCampaignRow,
  LiveReport,
  ResellerReport,
} from './exchanges.js';
export { ExchangeTally, HALF_SHARE, indexExchangeVerdicts, scoreExchanges } from './exchanges.js';
export type { Confusion, RecallAtFpr, Scored } from './metrics.js';
export { averagePrecision, confusion, recallAtFpr, rocAuc } from './metrics.js';
export type { Read, ScorePaths } from './read.js';
export {
  ExchangeVerdictIn,
  readAlerts,
  readCampaigns,
  readExchangeVerdicts,
  readLabels,
  readVerdicts,
  scoreFiles,
} from './read.js';
export { duration, renderReport } from './render.js';
export type { InputIssue, ReportExtras, ScoreInput, ScoreReport } from './report.js';
export { assembleReport, REPORT_SCHEMA, reportJson, scoreAll } from './report.js';
export type {
  AlertRow,
  CampaignRow,
  LabelRow,
  Truth,
  UnknownAccounts,
  VerdictKind,
  VerdictRow,
} from './truth.js';
export { isFlagged, joinTruth } from './truth.js';
