/** The `--feedback FILE` flag of hunt and watch: the analysts' decisions (docs/feedback.md). */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type FeedbackIndex, loadFeedback } from '../feedback/index.js';
import { UsageError } from './usage-error.js';

export const FEEDBACK_FILE = 'feedback.json';

/** Where `distillguard serve` writes the feedback of a store: beside it. */
export function defaultFeedbackPath(db: string): string {
  return join(dirname(db), FEEDBACK_FILE);
}

/**
 * Loads the feedback file asked for, or the default one if it exists. A file asked for but
 * missing, or one that does not validate, stops the command (a half-read decision is worse
 * than none).
 */
export async function feedbackFlag(
  asked: string | undefined,
  fallback: string | null,
): Promise<{ feedback: FeedbackIndex; path: string } | null> {
  const path = asked ?? (fallback !== null && existsSync(fallback) ? fallback : null);
  if (path === null) return null;
  if (!existsSync(path)) throw new UsageError('missing_argument', `no feedback file at ${path}`);
  const r = await loadFeedback(path);
  if (r.status === 'invalid') {
    const first = r.issues.slice(0, 3).map((i) => `${i.path}: ${i.message}`);
    throw new UsageError('bad_option', `${path} is not a valid feedback file (${first.join('; ')})`);
  }
  return { feedback: r.feedback, path };
}
