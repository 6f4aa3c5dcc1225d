/**
 * The HTTP application: security headers on everything, the API under /api (every route but
 * login authenticated; mutations JSON-only and CSRF-checked; roles checked per route), and the
 * built dashboard for every other GET. Pure assembly: give it its dependencies (tests build them
 * in memory and call `app.request()`).
 */
import { randomBytes } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { authenticate, csrfProtection, requireJson } from './auth/middleware.js';
import type { Principal } from './auth/roles.js';
import type { ServerDeps } from './deps.js';
import type { AppEnv } from './env.js';
import { ApiError } from './errors.js';
import { actionRoutes } from './routes/actions.js';
import { adminRoutes } from './routes/admin.js';
import { loginRoutes, sessionRoutes } from './routes/auth.js';
import { readRoutes } from './routes/read.js';
import { NOT_BUILT_PAGE, type WebAssets } from './static-assets.js';

/** Largest request body: decisions and logins are a few hundred bytes; a pasted prompt for a
 * template search travels in the query string, not here. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Content-Security-Policy: scripts, styles, fonts and connections from our own origin only, no
 * inline script or style attribute, no plugins, no framing. Images may be data:/blob: URLs
 * (chart exports); workers may come from blob: (graph layout off the main thread).
 */
export const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  workerSrc: ["'self'", 'blob:'],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

function requestLog(log: (line: string) => void): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    const t = performance.now();
    await next();
    const p = c.var.principal as Principal | undefined;
    // The path only: query strings may carry search terms (IPs, pasted prompts).
    log(
      `${c.req.method} ${c.req.path} ${c.res.status} ${(performance.now() - t).toFixed(1)}ms${p === undefined ? '' : ` user=${p.name}`}`,
    );
  };
}

const noStore: MiddlewareHandler<AppEnv> = async function noStore(c, next) {
  await next();
  c.header('Cache-Control', 'no-store');
};

export function createApp(d: ServerDeps, assets: WebAssets): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requestLog(d.log));
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: CSP,
      referrerPolicy: 'no-referrer',
      crossOriginEmbedderPolicy: false,
      permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [], usb: [] },
    }),
  );
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        c.json(new ApiError('payload_too_large', `body over ${MAX_BODY_BYTES} bytes`).toJSON(), 413),
    }),
  );
  app.use('/api/*', noStore);
  app.route('/api', loginRoutes(d));

  const api = new Hono<AppEnv>();
  api.use('*', authenticate(d));
  api.use('*', requireJson());
  api.use('*', csrfProtection({ allowedOrigins: d.allowedOrigins }));
  api.route('/', sessionRoutes(d));
  api.route('/', readRoutes(d));
  api.route('/', actionRoutes(d));
  api.route('/admin', adminRoutes(d));
  api.all('*', (c) => {
    throw new ApiError('not_found', `no route ${c.req.method} ${c.req.path}`);
  });
  app.route('/api', api);

  app.get('*', (c) => {
    if (!assets.built) return c.html(NOT_BUILT_PAGE);
    const path = c.req.path;
    // A missing file with an extension is a 404; any other path is a dashboard route.
    const asset = assets.get(path) ?? (/\.[a-z0-9]+$/i.test(path) ? undefined : assets.index());
    if (asset === undefined) return c.text('not found', 404);
    c.header('Content-Type', asset.type);
    c.header('Cache-Control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    return c.body(asset.body as Uint8Array<ArrayBuffer>);
  });

  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(err.toJSON(), err.status);
    if (err instanceof HTTPException) {
      const code = err.status === 413 ? 'payload_too_large' : 'http_error';
      return c.json({ error: { code, message: err.message } }, err.status);
    }
    // Never the message: a database error can quote the values of the query.
    const id = randomBytes(4).toString('hex');
    d.log(`error ${id} ${c.req.method} ${c.req.path} ${err.name}`);
    if (process.env.DISTILLGUARD_DEBUG === '1') d.log(err.stack ?? err.message);
    return c.json({ error: { code: 'internal', message: `internal error (id ${id})` } }, 500);
  });
  return app;
}
