/**
 * Keeps the analysts' feedback file (docs/feedback.md) current for the gateway: re-read when its
 * modification time changes, checked every FEEDBACK_CHECK_MS. A file that does not validate is
 * reported and the last good version stays in force (a half-read decision is worse than a late
 * one); a missing file is no feedback.
 */
import { statSync } from 'node:fs';
import { type FeedbackIndex, loadFeedback } from '../feedback/index.js';

/** Analysts' decisions reach the request path within about this long. */
export const FEEDBACK_CHECK_MS = 2_000;

export class FeedbackFile {
  private current: FeedbackIndex | null = null;
  private mtime = -1;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly path: string,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** Loads the file once, then watches it. */
  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), FEEDBACK_CHECK_MS);
    this.timer.unref();
  }

  /** The decisions in force (for the policy). */
  readonly get = (): FeedbackIndex | null => this.current;

  async check(): Promise<void> {
    let m: number;
    try {
      m = statSync(this.path).mtimeMs;
    } catch {
      if (this.current !== null) this.log(`feedback: ${this.path} is gone; no analyst actions in force`);
      this.current = null;
      this.mtime = -1;
      return;
    }
    if (m === this.mtime) return;
    const r = await loadFeedback(this.path);
    if (r.status === 'invalid') {
      this.log(
        `feedback: ${this.path} does not validate (${r.issues[0]?.path}: ${r.issues[0]?.message}); keeping the last good one`,
      );
      this.mtime = m;
      return;
    }
    this.current = r.status === 'loaded' ? r.feedback : null;
    this.mtime = m;
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
