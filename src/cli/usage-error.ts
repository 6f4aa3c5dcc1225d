/** A bad flag or argument: the command stops with this message and exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    readonly code: 'bad_option' | 'missing_argument' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}
