/**
 * The analyst journal: every decision (confirm/dismiss, trust, enforcement action) and every
 * change of users or tokens, appended as one JSON line to `analyst.jsonl` with who, what, when
 * and why. Append-only and hash-chained (each line carries the SHA-256 of the one before and its
 * own), so an edited or deleted line is detected when the server starts.
 *
 * Why a JSONL journal rather than a DuckDB file of our own: decisions are few (people make them),
 * an append-only text file is the natural shape of an audit trail (readable with jq, never
 * rewritten, easy to ship to a SIEM), it needs no second database lock beside the store's, and the
 * current state is a fold over it that takes milliseconds at thousands of lines. `feedback.json`
 * (docs/feedback.md) is written from that state after every decision, for hunt, watch and the
 * gateway.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { z } from 'zod';
import {
  ENFORCEMENT_ACTIONS,
  type EnforcementAction,
  FEEDBACK_VERSION,
  type FeedbackFile,
  REVIEW_STATUSES,
  type ReviewStatus,
  type Trust,
  writeFeedback,
} from '../feedback/index.js';
import { TRUST } from '../formats/index.js';
import type { AuditEntry, Decisions } from './api-types.js';
import { ROLES } from './auth/roles.js';
import { ServeConfigError } from './errors.js';

const GENESIS = '0'.repeat(64);

const Snapshot = z.object({
  accounts: z.array(z.string()),
  indicators: z.record(z.string(), z.array(z.string())),
});
export type Snapshot = z.infer<typeof Snapshot>;

const Change = z.discriminatedUnion('field', [
  z.object({ field: z.literal('status'), value: z.enum(REVIEW_STATUSES).nullable() }),
  z.object({ field: z.literal('trust'), value: z.enum(TRUST).nullable() }),
  z.object({ field: z.literal('action'), value: z.enum(ENFORCEMENT_ACTIONS).nullable() }),
  z.object({ field: z.literal('user'), value: z.string().nullable() }),
  z.object({ field: z.literal('token'), value: z.string().nullable() }),
]);
export type Change = z.infer<typeof Change>;

const Line = z
  .object({
    seq: z.number().int().positive(),
    ts: z.string(),
    actor: z.string(),
    role: z.enum(ROLES),
    via: z.enum(['session', 'token', 'cli']),
    target: z.object({ kind: z.enum(['campaign', 'account', 'user', 'token']), id: z.string() }),
    previous: z.string().nullable(),
    reason: z.string(),
    snapshot: Snapshot.optional(),
    prev_hash: z.string().regex(/^[0-9a-f]{64}$/),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .and(Change);
type Line = z.infer<typeof Line>;

export type DecisionTarget = { kind: 'campaign' | 'account'; id: string };

interface TargetState {
  status: ReviewStatus | null;
  trust: Trust | null;
  action: EnforcementAction | null;
  updated_at: string;
  updated_by: string;
  reason: string;
  snapshot: Snapshot | null;
}

export interface JournalActor {
  name: string;
  role: (typeof ROLES)[number];
  via: 'session' | 'token' | 'cli';
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

function sealed(entry: Omit<Line, 'hash'>): Line {
  return { ...entry, hash: sha256(JSON.stringify(entry)) } as Line;
}

export class Journal {
  private readonly entries: AuditEntry[] = [];
  private readonly accounts = new Map<string, TargetState>();
  private readonly campaigns = new Map<string, TargetState>();
  private lastHash = GENESIS;
  private seq = 0;
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string | null,
    readonly feedbackPath: string | null,
    private readonly now: () => Date,
  ) {}

  /** Reads (and checks) the journal at `path`, or starts an empty one; null paths keep it in memory. */
  static async open(
    path: string | null,
    feedbackPath: string | null,
    now: () => Date = () => new Date(),
  ): Promise<Journal> {
    const j = new Journal(path, feedbackPath, now);
    if (path !== null && existsSync(path)) {
      const text = await readFile(path, 'utf8');
      const lines = text.split('\n');
      for (const [i, raw] of lines.entries()) {
        if (raw.trim() === '') continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          // A torn last line (a crash mid-append) is dropped; anywhere else it is tampering.
          if (i === lines.length - 1) break;
          throw new ServeConfigError('bad_option', `${path}:${i + 1}: not JSON`);
        }
        const r = Line.safeParse(parsed);
        if (!r.success) throw new ServeConfigError('bad_option', `${path}:${i + 1}: not a journal entry`);
        // The hash covers the line as written (its own key order), not zod's re-ordered output.
        const { hash, ...rest } = parsed as Record<string, unknown>;
        if (r.data.prev_hash !== j.lastHash || sha256(JSON.stringify(rest)) !== hash)
          throw new ServeConfigError(
            'bad_option',
            `${path}:${i + 1}: the journal's hash chain is broken (a line was edited, removed or reordered)`,
          );
        j.apply(r.data);
      }
    }
    return j;
  }

  private apply(line: Line): void {
    this.seq = line.seq;
    this.lastHash = line.hash;
    this.entries.push({
      seq: line.seq,
      ts: line.ts,
      actor: line.actor,
      role: line.role,
      target: line.target,
      field: line.field,
      value: line.value,
      previous: line.previous,
      reason: line.reason,
    });
    if (line.target.kind !== 'campaign' && line.target.kind !== 'account') return;
    const map = line.target.kind === 'campaign' ? this.campaigns : this.accounts;
    const old = map.get(line.target.id);
    const next: TargetState = {
      status: old?.status ?? null,
      trust: old?.trust ?? null,
      action: old?.action ?? null,
      updated_at: line.ts,
      updated_by: line.actor,
      reason: line.reason,
      snapshot: line.snapshot ?? old?.snapshot ?? null,
    };
    if (line.field === 'status') next.status = line.value;
    else if (line.field === 'trust') next.trust = line.value;
    else if (line.field === 'action') next.action = line.value;
    map.set(line.target.id, next);
  }

  decisions(target: DecisionTarget): Decisions {
    const s = (target.kind === 'campaign' ? this.campaigns : this.accounts).get(target.id);
    return {
      status: s?.status ?? null,
      trust: s?.trust ?? null,
      action: s?.action ?? null,
      updated_at: s?.updated_at ?? null,
      updated_by: s?.updated_by ?? null,
    };
  }

  /** The current value of one field of a target (null: never set or cleared). */
  current(target: DecisionTarget, field: 'status' | 'trust' | 'action'): string | null {
    return this.decisions(target)[field];
  }

  /**
   * Appends one entry (and, for decisions, rewrites feedback.json). Entries are written one at a
   * time in call order; each is on disk (fsync) before the call resolves.
   */
  record(
    actor: JournalActor,
    target: { kind: 'campaign' | 'account' | 'user' | 'token'; id: string },
    change: Change,
    reason: string,
    snapshot?: Snapshot,
  ): Promise<AuditEntry> {
    const run = this.writes.then(async () => {
      const previous =
        (target.kind === 'campaign' || target.kind === 'account') &&
        (change.field === 'status' || change.field === 'trust' || change.field === 'action')
          ? this.current(target as DecisionTarget, change.field)
          : null;
      const line = sealed({
        seq: this.seq + 1,
        ts: this.now().toISOString(),
        actor: actor.name,
        role: actor.role,
        via: actor.via,
        target,
        ...change,
        previous,
        reason,
        ...(snapshot === undefined ? {} : { snapshot }),
        prev_hash: this.lastHash,
      } as Omit<Line, 'hash'>);
      if (this.path !== null) {
        const fh = await open(this.path, 'a', 0o600);
        try {
          await fh.appendFile(`${JSON.stringify(line)}\n`);
          await fh.sync();
        } finally {
          await fh.close();
        }
      }
      this.apply(line);
      if (this.feedbackPath !== null && (target.kind === 'campaign' || target.kind === 'account'))
        await writeFeedback(this.feedbackPath, this.feedback());
      return this.entries[this.entries.length - 1] as AuditEntry;
    });
    this.writes = run.catch(() => undefined);
    return run;
  }

  /** Newest first, optionally for one target. */
  audit(
    filter: { kind?: string; id?: string },
    limit: number,
    offset: number,
  ): { total: number; items: AuditEntry[] } {
    const all = this.entries.filter(
      (e) =>
        (filter.kind === undefined || e.target.kind === filter.kind) &&
        (filter.id === undefined || e.target.id === filter.id),
    );
    const items = all
      .slice()
      .reverse()
      .slice(offset, offset + limit);
    return { total: all.length, items };
  }

  /** The feedback document: the current decisions (docs/feedback.md). */
  feedback(): FeedbackFile {
    const prov = (s: TargetState) => ({
      updated_at: s.updated_at,
      updated_by: s.updated_by,
      reason: s.reason,
    });
    const accounts: FeedbackFile['accounts'] = {};
    for (const [id, s] of [...this.accounts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (s.status === null && s.trust === null && s.action === null) continue;
      accounts[id] = {
        ...prov(s),
        ...(s.status === null ? {} : { status: s.status }),
        ...(s.trust === null ? {} : { trust: s.trust }),
        ...(s.action === null ? {} : { action: s.action }),
      };
    }
    const campaigns: FeedbackFile['campaigns'] = {};
    for (const [id, s] of [...this.campaigns.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (s.status === null && s.action === null) continue;
      campaigns[id] = {
        ...prov(s),
        ...(s.status === null ? {} : { status: s.status }),
        ...(s.action === null ? {} : { action: s.action }),
        accounts: s.snapshot?.accounts ?? [],
        indicators: s.snapshot?.indicators ?? {},
      };
    }
    return { version: FEEDBACK_VERSION, generated_at: this.now().toISOString(), accounts, campaigns };
  }
}
