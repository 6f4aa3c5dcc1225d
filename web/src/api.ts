/**
 * The API client: same-origin fetches with the session cookie, the CSRF token echoed on every
 * mutation, and failures turned into one error type carrying the server's code and field issues.
 */
import type { ApiErrorBody, SessionInfo } from '../../src/server/api-types.js';

export class ApiFailure extends Error {
  override readonly name = 'ApiFailure';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: { field: string; reason: string }[] = [],
  ) {
    super(message);
  }
}

let csrf: string | null = null;
const unauthenticatedListeners = new Set<() => void>();

export function setSession(s: SessionInfo | null): void {
  csrf = s?.csrf ?? null;
}

/** Called when any request finds the session gone (expired, logged out elsewhere). */
export function onUnauthenticated(f: () => void): () => void {
  unauthenticatedListeners.add(f);
  return () => unauthenticatedListeners.delete(f);
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf !== null) headers['x-csrf-token'] = csrf;
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(path, init);
  if (res.ok) return (await res.json()) as T;
  let err: ApiErrorBody['error'] = { code: 'http_error', message: `${res.status} ${res.statusText}` };
  try {
    err = ((await res.json()) as ApiErrorBody).error;
  } catch {
    // not JSON: keep the status line
  }
  if (res.status === 401 && path !== '/api/login') for (const f of unauthenticatedListeners) f();
  throw new ApiFailure(res.status, err.code, err.message, err.issues ?? []);
}

export const get = <T>(path: string): Promise<T> => request<T>('GET', path);

/**
 * Requests started by the entry script for the view being opened (prefetch.ts), before React and
 * the views have even loaded; the view takes each one once (useApi) instead of asking again. A
 * failed one is dropped, so a view mounted later (after logging in) asks afresh; one not taken
 * within PREFETCH_TTL_MS is not used.
 */
const prefetched = new Map<string, { at: number; reply: Promise<unknown> }>();
const PREFETCH_TTL_MS = 15_000;

export function prefetch(path: string): void {
  if (prefetched.has(path)) return;
  const reply = get<unknown>(path);
  reply.catch(() => {
    if (prefetched.get(path)?.reply === reply) prefetched.delete(path);
  });
  prefetched.set(path, { at: performance.now(), reply });
}

/** The prefetched reply for this path (once), or undefined. */
export function takePrefetched<T>(path: string): Promise<T> | undefined {
  const hit = prefetched.get(path);
  if (hit === undefined) return undefined;
  prefetched.delete(path);
  return performance.now() - hit.at > PREFETCH_TTL_MS ? undefined : (hit.reply as Promise<T>);
}
export const post = <T>(path: string, body: unknown): Promise<T> => request<T>('POST', path, body);
export const del = <T>(path: string): Promise<T> => request<T>('DELETE', path);

export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

export const enc = encodeURIComponent;
