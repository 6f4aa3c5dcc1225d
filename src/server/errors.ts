/**
 * Errors of the API, each with an HTTP status and a stable `code` (tests and clients switch on
 * the code, never on the message). Validation failures carry one issue per field: where, a zod
 * issue code and a reason a person can act on.
 */
import type { z } from 'zod';

export const API_ERROR_STATUS = {
  invalid_input: 400,
  unauthenticated: 401,
  bad_credentials: 401,
  forbidden: 403,
  csrf_failed: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  not_ready: 503,
} as const;
export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

export interface FieldIssue {
  /** `body.reason`, `query.limit`, `path.id`. */
  field: string;
  /** zod's issue code (`too_small`, `invalid_value`, …) or our own. */
  code: string;
  reason: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: (typeof API_ERROR_STATUS)[ApiErrorCode];
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
  ) {
    super(message);
    this.status = API_ERROR_STATUS[code];
  }

  toJSON(): { error: { code: ApiErrorCode; message: string; issues?: readonly FieldIssue[] } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.issues.length > 0 ? { issues: this.issues } : {}),
      },
    };
  }
}

export type InputPart = 'body' | 'query' | 'path';

export function invalidInput(part: InputPart, error: z.ZodError): ApiError {
  const issues = error.issues.map((i) => ({
    field: [part, ...i.path.map(String)].join('.'),
    code: i.code,
    reason: i.message,
  }));
  const first = issues[0];
  return new ApiError(
    'invalid_input',
    first === undefined ? `invalid ${part}` : `${first.field}: ${first.reason}`,
    issues,
  );
}

/** A bad option given to the server factory or the command (a programmer or configuration error). */
export class ServeConfigError extends Error {
  override readonly name = 'ServeConfigError';
  constructor(
    readonly code: 'missing_db' | 'bad_db' | 'bad_findings' | 'users_file' | 'bad_option' | 'no_users',
    message: string,
  ) {
    super(message);
  }
}
