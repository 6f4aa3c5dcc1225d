/**
 * The gateway's hot path: a reverse proxy on plain `node:http` with an undici Pool (keep-alive)
 * to the upstream, measured here ~1.7× faster than Hono as a proxy (docs/architecture.md).
 *
 * Per request: the body is read (it is small, and the policy may need the prompt), the Enforcer
 * admits or rejects, and an admitted request is dispatched upstream exactly once (POST is not
 * idempotent: undici never retries it; neither does this file). The response streams back as it
 * arrives — status, headers minus hop-by-hop ones (RFC 9110 §7.6.1), body bytes unchanged — while a
 * side copy is read for usage. Only degraded (flagged) traffic is rewritten. The exchange record
 * is handed to capture after the response has ended.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { type Dispatcher, Pool } from 'undici';
import {
  type Dialect,
  dialectOf,
  type Endpoint,
  type ErrorResponse,
  endpointOf,
  errorResponse,
  stripReasoning,
  type Usage,
} from './api.js';
import { MAX_CAPTURED_RESPONSE_BYTES } from './capture.js';
import type { Admission, Enforcer } from './enforcer.js';
import { EnforceError } from './errors.js';
import { SseDegrader, SseUsageReader } from './sse.js';
import { parseUpdates } from './verdict-feed.js';

/** Request bodies above this are refused with 413: 32 MiB holds a long context with images inline. */
export const MAX_BODY_BYTES = 32 << 20;
/**
 * Upstream connections kept per gateway process. Streaming responses hold a connection for their
 * whole duration (seconds to minutes), so the pool must cover the concurrent streams; 1,024 is far
 * above what one process on two cores proxies, and keeps a runaway from exhausting file handles.
 */
export const UPSTREAM_CONNECTIONS = 1_024;
/** Idle upstream connections are kept this long (most LLM APIs close idle ones after ~60 s). */
export const UPSTREAM_KEEPALIVE_MS = 30_000;
/** Prefix of the gateway's own routes; no LLM API uses it. */
export const ADMIN_PREFIX = '/_distillguard/v1/';

/** Hop-by-hop headers (RFC 9110 §7.6.1), never forwarded in either direction. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface ProxyOptions {
  /** Upstream origin, optionally with a path prefix (the request path is appended to it). */
  upstream: string;
  enforcer: Enforcer;
  /** Bearer token of the admin routes (`POST /_distillguard/v1/updates`, `GET …/stats`); without
   * one they answer 404. */
  adminToken?: string;
  maxBodyBytes?: number;
  /** Take the client address from the first X-Forwarded-For entry (behind a trusted load balancer). */
  trustForwardedFor?: boolean;
  connections?: number;
}

function headerGetter(h: IncomingHttpHeaders): (name: string) => string | undefined {
  return (name) => {
    const v = h[name];
    return Array.isArray(v) ? v.join(', ') : v;
  };
}

function clientIp(req: IncomingMessage, trustXff: boolean): string {
  if (trustXff) {
    const x = req.headers['x-forwarded-for'];
    const first = (Array.isArray(x) ? x[0] : x)?.split(',')[0]?.trim();
    if (first !== undefined && first !== '') return first;
  }
  const a = req.socket.remoteAddress ?? '0.0.0.0';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** Request headers to forward: all but hop-by-hop ones (and those named by `Connection`), Host and
 * Content-Length (undici sets both). */
function forwardHeaders(req: IncomingMessage, identity: boolean): string[] {
  const raw = req.rawHeaders;
  const connection = req.headers.connection;
  const extra =
    connection !== undefined ? new Set(connection.split(',').map((s) => s.trim().toLowerCase())) : null;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i] as string;
    const l = k.toLowerCase();
    if (HOP_BY_HOP.has(l) || l === 'host' || l === 'content-length' || extra?.has(l)) continue;
    if (identity && l === 'accept-encoding') continue;
    out.push(k, raw[i + 1] as string);
  }
  // A degraded response is rewritten: ask for it uncompressed.
  if (identity) out.push('accept-encoding', 'identity');
  return out;
}

function responseHeaders(h: IncomingHttpHeaders): IncomingHttpHeaders {
  const connection = h.connection;
  const extra =
    typeof connection === 'string' ? connection.split(',').map((s) => s.trim().toLowerCase()) : [];
  const out: IncomingHttpHeaders = {};
  for (const k in h) if (!HOP_BY_HOP.has(k) && !extra.includes(k)) out[k] = h[k];
  return out;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function sendError(res: ServerResponse, e: ErrorResponse): void {
  res.writeHead(e.status, { ...e.headers, 'content-length': Buffer.byteLength(e.body) });
  res.end(e.body);
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Usage of a streamed response, read from the bytes already sent (decompressed on the side when
 * the upstream compressed them). Reading is deferred to the next turn of the event loop
 * (`setImmediate`): the chunks just written to the client go out first (Node flushes a response's
 * writes on the next tick), so usage parsing never sits between the upstream's bytes and the
 * caller's. The chunks are undici's own buffers, held (not copied) for that one turn. */
class UsageTap {
  private readonly reader = new SseUsageReader();
  private readonly inflater: NodeJS.ReadWriteStream | null;
  private readonly done: Promise<void>;
  private queued: Buffer[] = [];
  private scheduled = false;

  constructor(encoding: string | undefined) {
    const e = (encoding ?? '').toLowerCase();
    this.inflater =
      e === 'gzip' || e === 'x-gzip'
        ? createGunzip()
        : e === 'deflate'
          ? createInflate()
          : e === 'br'
            ? createBrotliDecompress()
            : null;
    if (this.inflater === null) this.done = Promise.resolve();
    else {
      const z = this.inflater;
      z.on('data', (c: Buffer) => this.reader.push(c));
      this.done = new Promise((resolve) => {
        z.on('end', resolve);
        z.on('error', () => resolve());
      });
    }
  }

  push(chunk: Buffer): void {
    this.queued.push(chunk);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    const q = this.queued;
    if (q.length === 0) return;
    this.queued = [];
    for (const c of q) {
      if (this.inflater === null) this.reader.push(c);
      else this.inflater.write(c);
    }
  };

  async end(): Promise<Usage> {
    this.drain();
    this.inflater?.end();
    await this.done;
    return this.reader.end();
  }
}

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  start: number;
  ts: number;
  ip: string;
  endpoint: Endpoint | null;
  dialect: Dialect;
  body: Buffer;
  admission: Extract<Admission, { kind: 'forward' }>;
}

/** The undici handler of one forwarded request: streams the upstream response to the client. */
class ForwardHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private sse = false;
  /** Reads a stream's usage as it passes, once the stream has outgrown `kept`. */
  private tap: UsageTap | null = null;
  private encoding: string | undefined;
  private degrader: SseDegrader | null = null;
  /** Bytes kept: the whole body when it must be rewritten, else a copy (bounded) whose usage
   * capture reads in the background, a stream's included. */
  private kept: Buffer[] | null = null;
  private keptBytes = 0;
  private rewrite = false;
  private finished = false;
  private started = false;

  constructor(
    private readonly x: Exchange,
    private readonly gw: Gateway,
  ) {
    x.res.on('close', () => {
      // the client went away mid-response: stop reading from upstream
      if (!this.finished) this.controller?.abort(new Error('client closed the connection'));
    });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
  }

  onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    this.started = true;
    this.status = status;
    const out = responseHeaders(headers);
    const type = first(headers['content-type']) ?? '';
    const encoding = first(headers['content-encoding']);
    this.encoding = encoding;
    this.sse = type.startsWith('text/event-stream');
    const endpoint = this.x.endpoint;
    const ok = status >= 200 && status < 300;
    if (this.sse) {
      this.kept = [];
      if (this.x.admission.degrade && ok && endpoint !== null && encoding === undefined) {
        this.degrader = new SseDegrader(endpoint);
        delete out['content-length'];
      }
    } else if (endpoint !== null && ok) {
      this.kept = [];
      this.rewrite = this.x.admission.degrade && encoding === undefined && type.includes('json');
    }
    this.headers = out;
    if (!this.rewrite) this.x.res.writeHead(status, out);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.kept !== null) {
      if (this.rewrite || this.keptBytes + chunk.length <= MAX_CAPTURED_RESPONSE_BYTES) {
        this.kept.push(chunk);
        this.keptBytes += chunk.length;
      } else this.outgrown();
    }
    if (this.rewrite) return;
    this.tap?.push(chunk);
    let ok: boolean;
    if (this.degrader !== null) {
      const out = this.degrader.push(chunk);
      ok = out === '' ? true : this.x.res.write(out);
    } else ok = this.x.res.write(chunk);
    if (!ok) {
      controller.pause();
      this.x.res.once('drain', () => controller.resume());
    }
  }

  /** A stream longer than capture keeps: its usage is read as it passes from here on. */
  private outgrown(): void {
    if (this.sse && this.kept !== null) {
      this.tap = new UsageTap(this.encoding);
      for (const c of this.kept) this.tap.push(c);
    }
    this.kept = null;
  }

  onResponseEnd(): void {
    this.finished = true;
    const { res } = this.x;
    let responseBody: Buffer | undefined;
    if (this.rewrite && this.kept !== null) {
      let body = Buffer.concat(this.kept, this.keptBytes);
      responseBody = body;
      try {
        const json: unknown = JSON.parse(body.toString('utf8'));
        if (this.x.endpoint !== null && stripReasoning(this.x.endpoint, json))
          body = Buffer.from(JSON.stringify(json));
      } catch {
        // not JSON after all: sent as it came
      }
      res.writeHead(this.status, { ...this.headers, 'content-length': body.length });
      res.end(body);
    } else {
      if (this.degrader !== null) {
        const rest = this.degrader.end();
        if (rest !== '') res.write(rest);
      }
      res.end();
      if (this.kept !== null)
        responseBody = this.kept.length === 1 ? this.kept[0] : Buffer.concat(this.kept, this.keptBytes);
    }
    this.gw.recordExchange(this.x, this.status, this.headers, this.tap, responseBody, this.sse);
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    this.finished = true;
    const { res } = this.x;
    if (!this.started && !res.headersSent) {
      sendError(res, errorResponse(this.x.dialect, { kind: 'bad_gateway' }));
      this.gw.recordExchange(this.x, 502, {}, null, undefined, false);
      this.gw.upstreamErrors++;
      return;
    }
    // Mid-stream failure: the status is sent; end the connection so the client sees a truncated body.
    res.destroy(err);
    this.gw.upstreamErrors++;
    // What came of a stream is read as it was (a truncated compressed stream, as far as it inflates).
    if (this.sse) this.outgrown();
    this.gw.recordExchange(this.x, this.status, this.headers, this.tap, undefined, false);
  }
}

/** The proxy: a request handler for `node:http`, and its upstream pool. */
export class Gateway {
  private readonly pool: Pool;
  private readonly origin: string;
  private readonly prefix: string;
  private readonly maxBody: number;
  upstreamErrors = 0;

  constructor(private readonly opts: ProxyOptions) {
    let u: URL;
    try {
      u = new URL(opts.upstream);
    } catch {
      throw new EnforceError('upstream_unreachable', `--upstream: not a URL: ${opts.upstream}`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new EnforceError('upstream_unreachable', `--upstream: must be http(s), got ${u.protocol}`);
    this.origin = u.origin;
    this.prefix = u.pathname.replace(/\/$/, '');
    this.maxBody = opts.maxBodyBytes ?? MAX_BODY_BYTES;
    this.pool = new Pool(this.origin, {
      connections: opts.connections ?? UPSTREAM_CONNECTIONS,
      keepAliveTimeout: UPSTREAM_KEEPALIVE_MS,
      pipelining: 1,
      // LLM responses may take minutes to start (long reasoning) and to stream.
      headersTimeout: 600_000,
      bodyTimeout: 600_000,
    });
  }

  get enforcer(): Enforcer {
    return this.opts.enforcer;
  }

  /** The `node:http` request listener. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const start = performance.now();
    const ts = this.opts.enforcer.now();
    const url = req.url ?? '/';
    if (url.startsWith(ADMIN_PREFIX)) {
      this.admin(req, res, url.slice(ADMIN_PREFIX.length));
      return;
    }
    const endpoint = endpointOf(url);
    const dialect = dialectOf(endpoint, req.headers['anthropic-version'] !== undefined);
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (c: Buffer) => {
      if (refused) return;
      size += c.length;
      if (size > this.maxBody) {
        refused = true;
        sendError(res, errorResponse(dialect, { kind: 'too_large', limit: this.maxBody }));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (refused) return;
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
      const ip = clientIp(req, this.opts.trustForwardedFor === true);
      const get = headerGetter(req.headers);
      const a = this.opts.enforcer.admit({ endpoint, get, ip, body });
      const go = (adm: Admission) => {
        if (adm.kind === 'reject') {
          const e = errorResponse(dialect, adm.error);
          sendError(res, e);
          if (endpoint !== null)
            this.opts.enforcer.record(
              this.pending(req, ts, ip, endpoint, body, adm.caller, e.status, start, {}),
            );
          return;
        }
        this.forward({ req, res, start, ts, ip, endpoint, dialect, body, admission: adm });
      };
      if (a instanceof Promise)
        a.then(go, () => sendError(res, errorResponse(dialect, { kind: 'unavailable', what: 'gateway' })));
      else go(a);
    });
  };

  private forward(x: Exchange): void {
    const method = (x.req.method ?? 'GET') as Dispatcher.HttpMethod;
    this.pool.dispatch(
      {
        path: this.prefix + (x.req.url ?? '/'),
        method,
        headers: forwardHeaders(x.req, x.admission.degrade),
        body: method === 'GET' || method === 'HEAD' ? null : x.body,
        idempotent: false,
      },
      new ForwardHandler(x, this),
    );
  }

  private pending(
    req: IncomingMessage,
    ts: number,
    ip: string,
    endpoint: Endpoint,
    body: Buffer,
    caller: Admission['caller'],
    status: number,
    start: number,
    upstreamHeaders: IncomingHttpHeaders,
  ) {
    const get = headerGetter(req.headers);
    const p: Parameters<Enforcer['record']>[0] = {
      ts,
      account_id: caller.account,
      ip,
      request_id:
        first(upstreamHeaders['x-request-id']) ??
        first(upstreamHeaders['request-id']) ??
        `dg_${randomUUID()}`,
      endpoint,
      requestBody: body,
      status,
      latency_ms: performance.now() - start,
    };
    if (caller.api_key_id !== undefined) p.api_key_id = caller.api_key_id;
    const ua = get('user-agent');
    if (ua !== undefined) p.user_agent = ua;
    const tls = this.opts.enforcer.tlsFingerprint(get);
    if (tls !== undefined) p.tls_fingerprint = tls;
    const xff = get('x-forwarded-for');
    if (xff !== undefined) p.forwarded_for = xff;
    return p;
  }

  /** Called by the handler when a forwarded exchange is over. */
  recordExchange(
    x: Exchange,
    status: number,
    headers: IncomingHttpHeaders,
    tap: UsageTap | null,
    responseBody: Buffer | undefined,
    stream: boolean,
  ): void {
    const endpoint = x.endpoint;
    if (endpoint === null) return;
    const p = this.pending(x.req, x.ts, x.ip, endpoint, x.body, x.admission.caller, status, x.start, headers);
    const encoding = first(headers['content-encoding']);
    if (responseBody !== undefined) {
      p.responseBody = responseBody;
      if (stream) p.responseStream = true;
      if (encoding !== undefined) p.contentEncoding = encoding;
    }
    if (tap === null) {
      this.opts.enforcer.record(p);
      return;
    }
    tap.end().then(
      (usage) => {
        p.usage = usage;
        this.opts.enforcer.record(p);
      },
      () => this.opts.enforcer.record(p),
    );
  }

  private admin(req: IncomingMessage, res: ServerResponse, route: string): void {
    const json = (status: number, v: unknown) => {
      const s = JSON.stringify(v);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
      res.end(s);
    };
    if (route === 'health' && req.method === 'GET') {
      const down = this.opts.enforcer.unavailable();
      json(down === null ? 200 : 503, { ok: down === null, unavailable: down });
      req.resume();
      return;
    }
    const token = this.opts.adminToken;
    const auth = req.headers.authorization ?? '';
    if (token === undefined) {
      json(404, { error: 'admin routes are disabled (no admin token configured)' });
      req.resume();
      return;
    }
    if (!sameSecret(auth, `Bearer ${token}`)) {
      json(401, { error: 'bad or missing bearer token' });
      req.resume();
      return;
    }
    if (route === 'stats' && req.method === 'GET') {
      json(200, {
        ...this.opts.enforcer.stats(),
        sinks: this.opts.enforcer.capture.sinkStats(),
        upstream_errors: this.upstreamErrors,
      });
      req.resume();
      return;
    }
    if (route === 'updates' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= this.maxBody) chunks.push(c);
      });
      req.on('end', () => {
        if (size > this.maxBody) {
          json(413, { error: `body larger than ${this.maxBody} bytes` });
          return;
        }
        const { updates, issues } = parseUpdates(Buffer.concat(chunks).toString('utf8'));
        Promise.all(updates.map((u) => this.opts.enforcer.update(u))).then(
          () =>
            json(issues.length > 0 && updates.length === 0 ? 400 : 200, { applied: updates.length, issues }),
          (e: unknown) => json(503, { applied: 0, error: `state store: ${(e as Error).message}` }),
        );
      });
      return;
    }
    json(404, { error: `no route ${req.method ?? ''} ${ADMIN_PREFIX}${route}` });
    req.resume();
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

export interface RunningGateway {
  gateway: Gateway;
  server: Server;
  url: string;
  port: number;
  /** Stops accepting, waits for open exchanges, flushes capture, closes the enforcer. */
  close(): Promise<void>;
}

/** Starts a gateway on `host:port` (port 0 picks a free one). */
export async function startGateway(
  opts: ProxyOptions & { port?: number; host?: string },
): Promise<RunningGateway> {
  const gateway = new Gateway(opts);
  const server = createServer({ keepAliveTimeout: 65_000 }, gateway.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  return {
    gateway,
    server,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await gateway.close();
      await opts.enforcer.close();
    },
  };
}
