/**
 * Data errors found while reading input. They are collected, never thrown (STYLE.md §7):
 * every bad record becomes one `RecordIssue` with the file, the line, the field and a
 * stable code; the run goes on. Configuration and programmer errors are thrown as
 * `FormatError` with a stable `code`.
 */

export const ISSUE_CODES = [
  'bad_json', // the line is not valid JSON (truncated, garbage)
  'not_an_object', // valid JSON but not a JSON object
  'missing_field', // a required field is absent or empty
  'wrong_type', // a field has the wrong JSON type
  'bad_value', // right type, value out of its domain (negative tokens, unknown enum value…)
  'bad_timestamp', // not RFC 3339 nor epoch milliseconds
  'impossible_timestamp', // parses, but outside MIN_TS_MS..MAX_TS_MS
  'bad_ip', // not an IPv4 or IPv6 address
  'invalid_utf8', // the line's bytes are not UTF-8
  'line_too_long', // over MAX_LINE_BYTES; skipped without being buffered
  'truncated_file', // the file (e.g. a gzip stream) ends early; the partial record is dropped
  'bad_csv', // a CSV row with the wrong number of cells or an unclosed quote
  'bad_record', // a record that fails for another reason (e.g. an OTLP span without attributes)
  'text_truncated', // repaired: prompt/system_prompt longer than MAX_TEXT_CHARS was cut
  'nul_removed', // repaired: NUL characters removed from a text field
] as const;
export type IssueCode = (typeof ISSUE_CODES)[number];

/**
 * `rejected`: the record was not ingested (counts in `rejected`).
 * `repaired`: the record was ingested after a documented repair (counts in `accepted`).
 * `file`: concerns the file, not one record (e.g. a gzip that ends on a line boundary).
 */
export type IssueAction = 'rejected' | 'repaired' | 'file';

export interface RecordIssue {
  file: string;
  /** 1-based line (JSONL/CSV/OTLP-JSONL line; Parquet row number). */
  line: number;
  /** The offending field (dotted path), or null when the whole record is bad. */
  field: string | null;
  code: IssueCode;
  reason: string;
  action: IssueAction;
}

export const FORMAT_ERROR_CODES = [
  'file_not_found',
  'not_a_file',
  'unknown_format',
  'unreadable',
  'bad_option',
] as const;
export type FormatErrorCode = (typeof FORMAT_ERROR_CODES)[number];

/** A whole input cannot be read: the command stops with this message and a non-zero exit. */
export class FormatError extends Error {
  override readonly name = 'FormatError';
  constructor(
    readonly code: FormatErrorCode,
    message: string,
    readonly file?: string,
  ) {
    super(message);
  }
}
