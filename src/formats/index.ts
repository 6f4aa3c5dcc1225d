export { fastExchange } from './fast-exchange.js';
export type { FormatErrorCode, IssueAction, IssueCode, RecordIssue } from './issues.js';
export { FORMAT_ERROR_CODES, FormatError, ISSUE_CODES } from './issues.js';
export { readJsonl } from './jsonl.js';
export { LineFile } from './line-file.js';
export type { LineBatch } from './lines.js';
export { checkReadable, MAX_LINE_BYTES, readLines } from './lines.js';
export { formatFromName, kindFromName, openRecords } from './read.js';
export type { InputFormat, ReadOptions, RecordBatch, RecordStream } from './read-types.js';
export { INPUT_FORMATS } from './read-types.js';
export type { Account, Exchange, Label, RecordKind, RecordOf, Release } from './schemas.js';
export {
  AccountId,
  AccountIn,
  Alert,
  CAPABILITIES,
  Campaign,
  CampaignId,
  Capability,
  Evidence,
  EXCHANGE_FIELDS,
  ExchangeIn,
  FINGERPRINT_RE,
  isTrusted,
  LabelIn,
  MAX_TEXT_CHARS,
  MAX_TS_MS,
  MIN_TS_MS,
  PATHWAYS,
  parseTimestamp,
  RECORD_SCHEMAS,
  ReleaseIn,
  RequestId,
  TRUST,
  toRfc3339,
  VERDICTS,
  Verdict,
  VerdictKind,
} from './schemas.js';
export type { FieldType, Validated } from './validate.js';
export { FIELD_TYPES, repairText, validateRecord } from './validate.js';
export type { JsonlWriterOptions } from './write.js';
export { JsonlWriter, openJsonlWriter } from './write.js';
