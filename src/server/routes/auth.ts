/** Login, logout and "who am I". Login is the only API route open to anonymous callers. */
import { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { SessionInfo } from '../api-types.js';
import { crossSiteCheck, jsonBody, SESSION_COOKIE } from '../auth/middleware.js';
import { mayReadRawText } from '../auth/roles.js';
import { SESSION_MAX_MS } from '../auth/sessions.js';
import type { ServerDeps } from '../deps.js';
import type { AppEnv } from '../env.js';
import { ApiError } from '../errors.js';

const Login = z.object({
  user: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});

export function loginRoutes(d: ServerDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/login', async (c) => {
    // Login CSRF: a forged login would put the victim in the attacker's session.
    crossSiteCheck(c, d.allowedOrigins);
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/json(\s*;|$)/i.test(type))
      throw new ApiError('unsupported_media_type', 'send the body as application/json');
    const body = await jsonBody(c, Login);
    // A name that is no user may be a password typed in the wrong field: never logged.
    const logged = d.users.hasUser(body.user) ? body.user : '(unknown)';
    if (d.sessions.locked(body.user)) {
      d.log(`login locked user=${logged}`);
      throw new ApiError('rate_limited', 'too many failed logins for this user; try again later');
    }
    const who = await d.users.verifyLogin(body.user, body.password);
    if (who === null) {
      d.sessions.recordFailure(body.user);
      d.log(`login failed user=${logged}`);
      throw new ApiError('bad_credentials', 'wrong user name or password');
    }
    d.sessions.recordSuccess(body.user);
    const s = d.sessions.create(who.name, who.role);
    setCookie(c, SESSION_COOKIE, s.id, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      secure: d.secureCookies,
      maxAge: Math.floor(SESSION_MAX_MS / 1000),
    });
    d.log(`login user=${who.name} role=${who.role}`);
    const info: SessionInfo = {
      user: who.name,
      role: who.role,
      csrf: s.csrf,
      rawText: mayReadRawText(who.role),
    };
    return c.json(info);
  });
  return app;
}

export function sessionRoutes(d: ServerDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/session', (c) => {
    const p = c.get('principal');
    const info: SessionInfo = { user: p.name, role: p.role, csrf: p.csrf, rawText: mayReadRawText(p.role) };
    return c.json(info);
  });
  app.post('/logout', (c) => {
    const p = c.get('principal');
    if (p.sessionId !== null) d.sessions.delete(p.sessionId);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.json({ ok: true });
  });
  return app;
}
