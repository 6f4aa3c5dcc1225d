/**
 * Errors that stop scoring: the files do not describe the same accounts, or one is empty
 * where a number would otherwise be a silent zero. Typed with a stable `code` (STYLE.md §7);
 * tests assert the code, never the message.
 */

export const SCORE_ERROR_CODES = [
  'empty_labels', // the labels file holds no valid label
  'duplicate_labels', // an account_id is labelled twice
  'empty_verdicts', // the verdicts file holds no valid verdict
  'duplicate_verdicts', // an account_id has two verdicts
  'unknown_accounts', // verdicts, campaigns or alerts name accounts absent from labels (see --allow-unknown)
  'duplicate_exchange_verdicts', // a request_id or (account_id, end_user_id) is given twice
  'empty_exchange_verdicts', // --exchange-verdicts given but the file holds none
  'exchange_verdicts_unmatched', // no exchange verdict matches any exchange: the files are from different runs
  'empty_exchanges', // --exchanges given but the file holds no valid exchange
] as const;
export type ScoreErrorCode = (typeof SCORE_ERROR_CODES)[number];

export class ScoreError extends Error {
  override readonly name = 'ScoreError';
  constructor(
    readonly code: ScoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}
