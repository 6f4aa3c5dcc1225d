/**
 * The enforcement core as Hono middleware, for an app that serves (or proxies) an OpenAI- or
 * Anthropic-compatible API itself:
 *
 *   const enforcer = await Enforcer.create({ feed: new HuntDirFeed('hunt/') });
 *   app.use('/v1/*', distillguard({ enforcer }));
 *
 * A factory in Hono's manner (STYLE.md §4): options checked when it is called, a named async
 * function returned, the admission available to later handlers as `c.get('distillguard')`.
 * Rejections are answered in the caller's API shape; flagged traffic marked `degrade` has its
 * reasoning removed from the response; every exchange on a model endpoint is captured. Unflagged
 * responses pass through unchanged (a streamed body is observed through a pass-through transform).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { dialectOf, endpointOf, errorResponse, stripReasoning } from './api.js';
import type { PendingExchange } from './capture.js';
import { type Admission, Enforcer } from './enforcer.js';
import { EnforceError } from './errors.js';
import { SseDegrader, SseUsageReader } from './sse.js';

export interface DistillguardEnv {
  Variables: { distillguard: Admission };
}

export interface DistillguardMiddlewareOptions {
  enforcer: Enforcer;
  /** The client address; default: the socket of `@hono/node-server`, else X-Forwarded-For's first entry. */
  clientIp?: (c: Context) => string | undefined;
}

/** Used when no address can be found (formats.md requires one). */
const UNKNOWN_IP = '0.0.0.0';

function defaultIp(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  const a = env?.incoming?.socket?.remoteAddress;
  if (a !== undefined) return a.startsWith('::ffff:') ? a.slice(7) : a;
  return c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
}

export function distillguard(options: DistillguardMiddlewareOptions): MiddlewareHandler<DistillguardEnv> {
  if (!(options?.enforcer instanceof Enforcer))
    throw new EnforceError(
      'bad_config',
      'distillguard(): `enforcer` must be an Enforcer (await Enforcer.create({...}))',
    );
  if (options.clientIp !== undefined && typeof options.clientIp !== 'function')
    throw new EnforceError('bad_config', 'distillguard(): `clientIp` must be a function');
  const { enforcer } = options;
  const ipOf = options.clientIp ?? defaultIp;

  return async function distillguardMiddleware(c, next) {
    const start = performance.now();
    const ts = enforcer.now();
    const endpoint = endpointOf(new URL(c.req.url).pathname);
    const dialect = dialectOf(endpoint, c.req.header('anthropic-version') !== undefined);
    const get = (name: string) => c.req.header(name);
    // A clone: the handler after this middleware reads the body as if nothing had.
    const body =
      endpoint !== null && c.req.method === 'POST'
        ? Buffer.from(await c.req.raw.clone().arrayBuffer())
        : null;
    const ip = ipOf(c) ?? UNKNOWN_IP;
    const adm = await enforcer.admit({ endpoint, get, ip, body });
    c.set('distillguard', adm);

    const pending = (status: number, requestId: string | null): PendingExchange | null => {
      if (endpoint === null) return null;
      const p: PendingExchange = {
        ts,
        account_id: adm.caller.account,
        ip,
        request_id: requestId ?? `dg_${crypto.randomUUID()}`,
        endpoint,
        requestBody: body ?? Buffer.alloc(0),
        status,
        latency_ms: performance.now() - start,
      };
      if (adm.caller.api_key_id !== undefined) p.api_key_id = adm.caller.api_key_id;
      const ua = get('user-agent');
      if (ua !== undefined) p.user_agent = ua;
      const tls = enforcer.tlsFingerprint(get);
      if (tls !== undefined) p.tls_fingerprint = tls;
      const xff = get('x-forwarded-for');
      if (xff !== undefined) p.forwarded_for = xff;
      return p;
    };

    if (adm.kind === 'reject') {
      const e = errorResponse(dialect, adm.error);
      const p = pending(e.status, null);
      if (p !== null) enforcer.record(p);
      return new Response(e.body, { status: e.status, headers: e.headers });
    }

    await next();
    if (endpoint === null) return;
    const res = c.res;
    const requestId = res.headers.get('x-request-id') ?? res.headers.get('request-id');
    const type = res.headers.get('content-type') ?? '';
    const ok = res.status >= 200 && res.status < 300;
    const encoded = res.headers.get('content-encoding') !== null;
    if (type.startsWith('text/event-stream') && res.body !== null) {
      const reader = encoded ? null : new SseUsageReader();
      const degrader = adm.degrade && ok && !encoded ? new SseDegrader(endpoint) : null;
      const encoder = new TextEncoder();
      const finish = () => {
        const p = pending(res.status, requestId);
        if (p === null) return;
        if (reader !== null) p.usage = reader.end();
        enforcer.record(p);
      };
      const transform = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, ctl) {
          reader?.push(chunk);
          if (degrader === null) ctl.enqueue(chunk);
          else {
            const out = degrader.push(chunk);
            if (out !== '') ctl.enqueue(encoder.encode(out));
          }
        },
        flush(ctl) {
          if (degrader !== null) {
            const rest = degrader.end();
            if (rest !== '') ctl.enqueue(encoder.encode(rest));
          }
          finish();
        },
      });
      const headers = new Headers(res.headers);
      if (degrader !== null) headers.delete('content-length');
      c.res = undefined;
      c.res = new Response(res.body.pipeThrough(transform), {
        status: res.status,
        statusText: res.statusText,
        headers,
      });
      return undefined;
    }
    if (!ok || !type.includes('json')) {
      const p = pending(res.status, requestId);
      if (p !== null) enforcer.record(p);
      return undefined;
    }
    if (adm.degrade && !encoded) {
      const text = await res.text();
      let out = text;
      try {
        const json: unknown = JSON.parse(text);
        if (stripReasoning(endpoint, json)) out = JSON.stringify(json);
      } catch {
        // not JSON after all: sent as it came
      }
      const headers = new Headers(res.headers);
      headers.delete('content-length');
      c.res = undefined;
      c.res = new Response(out, { status: res.status, statusText: res.statusText, headers });
      const p = pending(res.status, requestId);
      if (p !== null) {
        p.responseBody = Buffer.from(text);
        enforcer.record(p);
      }
      return undefined;
    }
    // Unflagged: the response goes out untouched; a tee'd copy is read for usage.
    const copy = res.clone();
    const p = pending(res.status, requestId);
    if (p === null) return;
    const enc = res.headers.get('content-encoding');
    if (enc !== null) p.contentEncoding = enc;
    copy.arrayBuffer().then(
      (b) => {
        p.responseBody = Buffer.from(b);
        p.latency_ms = performance.now() - start;
        enforcer.record(p);
      },
      () => enforcer.record(p),
    );
    return undefined;
  };
}
