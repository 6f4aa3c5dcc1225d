/**
 * Server stage: the dashboard's HTTP API (Hono on @hono/node-server) — authentication, roles,
 * CSRF, security headers, audit journal — and the static dashboard (web/, built to dist/web).
 */
export type * from './api-types.js';
export { CSP, createApp, MAX_BODY_BYTES } from './app.js';
export { CSRF_HEADER, SESSION_COOKIE } from './auth/middleware.js';
export { generatePassword, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './auth/passwords.js';
export type { Principal } from './auth/roles.js';
export { mayReadRawText, ROLES, roleAtLeast } from './auth/roles.js';
export { SessionStore } from './auth/sessions.js';
export type { TokenSummary, UserSummary } from './auth/users.js';
export { UserDirectory } from './auth/users.js';
export { AlertFeed } from './data/alerts.js';
export type { ServerDeps } from './deps.js';
export type { ApiErrorCode, FieldIssue } from './errors.js';
export { ApiError, ServeConfigError } from './errors.js';
export type { JournalActor } from './journal.js';
export { Journal } from './journal.js';
export type { OpenServer, RunningServer, ServerOptions } from './server.js';
export { defaultPaths, openServer, startServer } from './server.js';
