/**
 * Authentication, roles and CSRF as middleware factories (STYLE.md §4). Every API route except
 * login runs `authenticate`: a bearer API token or the session cookie, else 401. Mutations run
 * `csrfProtection`: a cross-site request is refused by its Origin / Sec-Fetch-Site headers, and a
 * cookie-authenticated one must also echo the session's CSRF token in `x-csrf-token` (a token
 * in an Authorization header is never sent by a browser on its own, so it needs no second proof).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { z } from 'zod';
import type { AppEnv } from '../env.js';
import { ApiError, invalidInput } from '../errors.js';
import { type Principal, type Role, roleAtLeast } from './roles.js';
import type { SessionStore } from './sessions.js';
import type { UserDirectory } from './users.js';

export const SESSION_COOKIE = 'dg_session';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function authenticate(opts: {
  users: UserDirectory;
  sessions: SessionStore;
}): MiddlewareHandler<AppEnv> {
  return async function authenticate(c, next) {
    const auth = c.req.header('authorization');
    let principal: Principal | null = null;
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      const t = m === null ? null : opts.users.verifyToken(m[1] as string);
      if (t === null) throw new ApiError('unauthenticated', 'invalid API token');
      principal = { name: `token:${t.label}`, role: t.role, via: 'token', csrf: null, sessionId: null };
    } else {
      const id = getCookie(c, SESSION_COOKIE);
      const s = id === undefined ? null : opts.sessions.get(id);
      if (s !== null)
        principal = { name: s.name, role: s.role, via: 'session', csrf: s.csrf, sessionId: s.id };
    }
    if (principal === null) throw new ApiError('unauthenticated', 'log in first');
    c.set('principal', principal);
    await next();
  };
}

export function requireRole(min: Role): MiddlewareHandler<AppEnv> {
  return async function requireRole(c, next) {
    const p = c.get('principal');
    if (!roleAtLeast(p.role, min)) throw new ApiError('forbidden', `this needs the ${min} role`);
    await next();
  };
}

/** Origin of the request as the browser saw it: the URL's, or one of `allowedOrigins` (a proxy in front). */
function sameOrigin(c: Context, origin: string, allowed: readonly string[]): boolean {
  return origin === new URL(c.req.url).origin || allowed.includes(origin);
}

function equalSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Refuses cross-site requests (Fetch Metadata, then Origin); for login and every mutation. */
export function crossSiteCheck(c: Context, allowedOrigins: readonly string[]): void {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    throw new ApiError('csrf_failed', `cross-site request refused (sec-fetch-site: ${site})`);
  const origin = c.req.header('origin');
  if (origin !== undefined && !sameOrigin(c, origin, allowedOrigins))
    throw new ApiError('csrf_failed', 'request from another origin refused');
}

export function csrfProtection(opts: { allowedOrigins?: readonly string[] } = {}): MiddlewareHandler<AppEnv> {
  const allowed = opts.allowedOrigins ?? [];
  for (const o of allowed)
    if (new URL(o).origin !== o) throw new TypeError(`allowed origin must be a bare origin, got ${o}`);
  return async function csrfProtection(c, next) {
    if (SAFE_METHODS.has(c.req.method)) return next();
    crossSiteCheck(c, allowed);
    const p = c.get('principal');
    if (p.via === 'session') {
      const sent = c.req.header(CSRF_HEADER);
      if (sent === undefined || p.csrf === null || !equalSecret(sent, p.csrf))
        throw new ApiError('csrf_failed', `missing or wrong ${CSRF_HEADER} header`);
    }
    await next();
  };
}

/** Mutations take JSON only: a form post (the classic CSRF vehicle) is refused before parsing. */
export function requireJson(): MiddlewareHandler<AppEnv> {
  return async function requireJson(c, next) {
    if (!SAFE_METHODS.has(c.req.method) && c.req.method !== 'DELETE') {
      const type = c.req.header('content-type') ?? '';
      if (!/^application\/json(\s*;|$)/i.test(type))
        throw new ApiError('unsupported_media_type', 'send the body as application/json');
    }
    await next();
  };
}

/** The JSON body, checked against `schema`; 400 with the field and reason otherwise. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ApiError('invalid_input', 'body is not valid JSON', [
      { field: 'body', code: 'invalid_json', reason: 'not valid JSON' },
    ]);
  }
  const r = schema.safeParse(body);
  if (!r.success) throw invalidInput('body', r.error);
  return r.data;
}

export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const r = schema.safeParse(c.req.query());
  if (!r.success) throw invalidInput('query', r.error);
  return r.data;
}

export function parsePath<S extends z.ZodType>(schema: S, value: unknown, name: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const e = invalidInput('path', r.error);
    throw new ApiError(
      'invalid_input',
      `path.${name}: ${e.issues[0]?.reason ?? 'invalid'}`,
      e.issues.map((i) => ({ ...i, field: `path.${name}` })),
    );
  }
  return r.data;
}
