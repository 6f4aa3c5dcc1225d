/**
 * Where verdicts come from: the VerdictFeed port. The file adapter reads a `hunt` output directory
 * (`verdicts.jsonl`, `campaigns.jsonl`, formats.md) and reloads it when the files change; pushed
 * updates (`watch` alerts, an analyst's verdict) arrive through `parseUpdates` and the enforcer's
 * `update`, and are kept on top of each reload.
 */
import { type FSWatcher, watch as fsWatch } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Alert, Campaign, Verdict } from '../formats/index.js';
import type { VerdictUpdate } from './verdict-book.js';

export interface FeedTarget {
  replace(verdicts: Verdict[], campaigns: Campaign[]): void;
}

export interface FeedStats {
  loads: number;
  verdicts: number;
  campaigns: number;
  bad_lines: number;
}

export interface VerdictFeed {
  readonly name: string;
  /** First load, then updates into `target` until closed. Never throws for missing files: the
   * feed is then unhealthy (and the gateway fails open or closed). */
  start(target: FeedTarget): Promise<void>;
  healthy(): boolean;
  stats(): FeedStats;
  close(): Promise<void>;
}

export interface LineIssue {
  line: number;
  reason: string;
}

/** Which record a pushed line is: an envelope `{kind, record}`, or a bare record told by its shape
 * (a campaign lists `accounts`, an alert has `ts`, a verdict neither). */
export function parseUpdate(
  value: unknown,
): { ok: true; update: VerdictUpdate } | { ok: false; reason: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, reason: 'not a JSON object' };
  const o = value as Record<string, unknown>;
  const env = typeof o.kind === 'string' && 'record' in o;
  const kind = env ? o.kind : Array.isArray(o.accounts) ? 'campaign' : 'ts' in o ? 'alert' : 'verdict';
  const rec = env ? o.record : o;
  const schema =
    kind === 'campaign' ? Campaign : kind === 'alert' ? Alert : kind === 'verdict' ? Verdict : null;
  if (schema === null) return { ok: false, reason: `unknown kind ${JSON.stringify(kind)}` };
  const r = schema.safeParse(rec);
  if (!r.success) {
    const i = r.error.issues[0];
    return { ok: false, reason: `${kind}: ${i?.path.join('.') || '(record)'}: ${i?.message ?? 'invalid'}` };
  }
  return { ok: true, update: { kind, record: r.data } as VerdictUpdate };
}

/** NDJSON (or one JSON array) of updates → updates and per-line issues. */
export function parseUpdates(text: string): { updates: VerdictUpdate[]; issues: LineIssue[] } {
  const updates: VerdictUpdate[] = [];
  const issues: LineIssue[] = [];
  const trimmed = text.trim();
  const items: { line: number; value: unknown; bad?: string }[] = [];
  if (trimmed.startsWith('[')) {
    try {
      for (const v of JSON.parse(trimmed) as unknown[]) items.push({ line: 1, value: v });
    } catch (e) {
      issues.push({ line: 1, reason: `not JSON: ${(e as Error).message}` });
    }
  } else {
    text.split('\n').forEach((l, i) => {
      if (l.trim() === '') return;
      try {
        items.push({ line: i + 1, value: JSON.parse(l) });
      } catch {
        items.push({ line: i + 1, value: null, bad: 'not JSON' });
      }
    });
  }
  for (const it of items) {
    if (it.bad !== undefined) {
      issues.push({ line: it.line, reason: it.bad });
      continue;
    }
    const r = parseUpdate(it.value);
    if (r.ok) updates.push(r.update);
    else issues.push({ line: it.line, reason: r.reason });
  }
  return { updates, issues };
}

function parseLines<T>(
  text: string,
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
) {
  const out: T[] = [];
  let bad = 0;
  for (const l of text.split('\n')) {
    if (l.trim() === '') continue;
    try {
      const r = schema.safeParse(JSON.parse(l));
      if (r.success) out.push(r.data);
      else bad++;
    } catch {
      bad++;
    }
  }
  return { out, bad };
}

/** How often the files' size and modification time are checked, in case `fs.watch` misses a change
 * (network file systems, editors that replace files): a new `hunt` result is live within this. */
export const FEED_POLL_MS = 2_000;
/** Changes within this time of the first are one reload (a writer's several flushes). */
export const FEED_DEBOUNCE_MS = 100;

export interface HuntDirFeedOptions {
  pollMs?: number;
}

/** The verdicts of a `hunt` output directory. */
export class HuntDirFeed implements VerdictFeed {
  readonly name: string;
  private ok = false;
  private readonly counts: FeedStats = { loads: 0, verdicts: 0, campaigns: 0, bad_lines: 0 };
  private watcher: FSWatcher | null = null;
  private poll: NodeJS.Timeout | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private signature = '';
  private target: FeedTarget | null = null;
  private loading: Promise<void> | null = null;

  constructor(
    readonly dir: string,
    private readonly opts: HuntDirFeedOptions = {},
  ) {
    this.name = `hunt:${dir}`;
  }

  async start(target: FeedTarget): Promise<void> {
    this.target = target;
    await this.reload();
    try {
      this.watcher = fsWatch(this.dir, () => this.schedule());
      this.watcher.on('error', () => {});
    } catch {
      // the directory does not exist yet: polling finds it when it appears
    }
    this.poll = setInterval(() => {
      this.sign()
        .then((s) => {
          if (s !== this.signature) this.schedule();
        })
        .catch(() => {});
    }, this.opts.pollMs ?? FEED_POLL_MS);
    this.poll.unref();
  }

  /** A reload FEED_DEBOUNCE_MS after the first change seen; later changes until then join it. */
  private schedule(): void {
    if (this.debounce !== null) return;
    this.debounce = setTimeout(() => {
      this.debounce = null;
      void this.reload();
    }, FEED_DEBOUNCE_MS);
    this.debounce.unref();
  }

  private async sign(): Promise<string> {
    const parts = await Promise.all(
      ['verdicts.jsonl', 'campaigns.jsonl'].map((f) =>
        stat(join(this.dir, f)).then(
          (s) => `${s.size}:${s.mtimeMs}`,
          () => '-',
        ),
      ),
    );
    return parts.join('|');
  }

  /** Reloads both files; resolves when done (tests await it through `reloaded`). */
  reload(): Promise<void> {
    const run = async () => {
      const signature = await this.sign();
      let verdictsText: string;
      try {
        verdictsText = await readFile(join(this.dir, 'verdicts.jsonl'), 'utf8');
      } catch {
        this.ok = false;
        this.signature = signature;
        return;
      }
      const campaignsText = await readFile(join(this.dir, 'campaigns.jsonl'), 'utf8').catch(() => '');
      const v = parseLines(verdictsText, Verdict);
      const c = parseLines(campaignsText, Campaign);
      this.target?.replace(v.out, c.out);
      this.counts.loads++;
      this.counts.verdicts = v.out.length;
      this.counts.campaigns = c.out.length;
      this.counts.bad_lines = v.bad + c.bad;
      this.signature = signature;
      this.ok = true;
    };
    const p = (this.loading ?? Promise.resolve()).then(run, run);
    this.loading = p;
    return p;
  }

  healthy(): boolean {
    return this.ok;
  }

  stats(): FeedStats {
    return { ...this.counts };
  }

  async close(): Promise<void> {
    this.watcher?.close();
    if (this.poll !== null) clearInterval(this.poll);
    if (this.debounce !== null) clearTimeout(this.debounce);
    await this.loading;
  }
}
