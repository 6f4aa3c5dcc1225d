/**
 * Login sessions, in memory: a restart logs everyone out, which is acceptable for a single
 * analyst console and keeps session secrets off the disk. Each session carries its own CSRF
 * token (the synchronizer-token pattern, OWASP CSRF cheat sheet): a cookie is sent by the
 * browser on its own, the token must be read by our script and echoed in a header.
 */
import { randomBytes } from 'node:crypto';
import type { Role } from './roles.js';

/** A session ends after this long without a request (OWASP: 15–30 min for sensitive apps,
 * longer for low-risk ones; an investigation console sits idle while people read). */
export const SESSION_IDLE_MS = 2 * 3_600_000;
/** …and in any case this long after login (one working day). */
export const SESSION_MAX_MS = 12 * 3_600_000;
/** Failed logins for one user name before it is locked for LOGIN_LOCK_MS. */
export const LOGIN_MAX_FAILURES = 5;
export const LOGIN_LOCK_MS = 15 * 60_000;

export interface Session {
  id: string;
  name: string;
  role: Role;
  csrf: string;
  created: number;
  seen: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly failures = new Map<string, { count: number; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  create(name: string, role: Role): Session {
    this.sweep();
    const t = this.now();
    const s: Session = {
      id: randomBytes(32).toString('base64url'),
      name,
      role,
      csrf: randomBytes(32).toString('base64url'),
      created: t,
      seen: t,
    };
    this.sessions.set(s.id, s);
    return s;
  }

  /** The live session with this id (its idle clock restarted), or null. */
  get(id: string): Session | null {
    const s = this.sessions.get(id);
    if (s === undefined) return null;
    const t = this.now();
    if (t - s.seen > SESSION_IDLE_MS || t - s.created > SESSION_MAX_MS) {
      this.sessions.delete(id);
      return null;
    }
    s.seen = t;
    return s;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  /** Ends every session of a user (removed, or role changed). */
  deleteUser(name: string): void {
    for (const [id, s] of this.sessions) if (s.name === name) this.sessions.delete(id);
  }

  /** True while the name is locked after too many failed logins. */
  locked(name: string): boolean {
    const f = this.failures.get(name);
    return f !== undefined && f.count >= LOGIN_MAX_FAILURES && f.until > this.now();
  }

  recordFailure(name: string): void {
    const t = this.now();
    const f = this.failures.get(name);
    const count = f === undefined || f.until <= t ? 1 : f.count + 1;
    this.failures.set(name, { count, until: t + LOGIN_LOCK_MS });
  }

  recordSuccess(name: string): void {
    this.failures.delete(name);
  }

  private sweep(): void {
    const t = this.now();
    for (const [id, s] of this.sessions)
      if (t - s.seen > SESSION_IDLE_MS || t - s.created > SESSION_MAX_MS) this.sessions.delete(id);
    for (const [n, f] of this.failures) if (f.until <= t) this.failures.delete(n);
  }
}
