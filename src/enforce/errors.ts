/**
 * Configuration errors of the enforcement stage (STYLE.md §7): thrown, with a stable code, and with
 * the file and field at fault when there is one. Data errors (a bad verdict line, a failed upload)
 * are counted, never thrown.
 */
export const ENFORCE_ERROR_CODES = [
  'bad_config', // an option has a wrong value
  'bad_keys_file', // the API-key file is missing, not JSON, or fails its schema
  'bad_accounts_file', // the accounts file cannot be read
  'state_unreachable', // Redis cannot be reached at start (and the gateway was asked to wait for it)
  'upstream_unreachable', // the upstream URL is not a valid http(s) URL
] as const;
export type EnforceErrorCode = (typeof ENFORCE_ERROR_CODES)[number];

export class EnforceError extends Error {
  override readonly name = 'EnforceError';
  constructor(
    readonly code: EnforceErrorCode,
    message: string,
    readonly file?: string,
    readonly field?: string,
  ) {
    super(message);
  }
}
