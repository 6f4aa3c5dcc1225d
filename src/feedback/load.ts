/**
 * Reading and writing `feedback.json`. A missing file is no feedback (a fresh deployment), not
 * an error; a file that does not parse is reported with its issues and never half-used.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { type FeedbackIndex, indexFeedback } from './lookup.js';
import { emptyFeedback, type FeedbackFile, type FeedbackIssue, parseFeedback } from './schema.js';

export type FeedbackLoad =
  | { status: 'loaded'; feedback: FeedbackIndex }
  | { status: 'missing'; feedback: FeedbackIndex }
  | { status: 'invalid'; path: string; issues: FeedbackIssue[] };

export async function loadFeedback(path: string): Promise<FeedbackLoad> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { status: 'missing', feedback: indexFeedback(emptyFeedback()) };
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return {
      status: 'invalid',
      path,
      issues: [{ path: '(root)', code: 'invalid_json', message: (err as Error).message }],
    };
  }
  const r = parseFeedback(json);
  return r.success
    ? { status: 'loaded', feedback: indexFeedback(r.data) }
    : { status: 'invalid', path, issues: r.issues };
}

/** Writes the file whole through a temporary file and a rename: a reader sees the old or the
 * new version, never half of one. */
export async function writeFeedback(path: string, file: FeedbackFile): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o644 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
