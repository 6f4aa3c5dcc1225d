/**
 * The benchmark's reference proxy: the same transport as the gateway (`node:http` server, undici
 * Pool with the same settings, one upstream dispatch per call, the response streamed back minus
 * hop-by-hop headers) and nothing else — no caller lookup, no policy, no usage tap, no capture.
 * Its added latency is what any separate proxy process costs on this machine (two more loopback
 * hops, HTTP parsing twice, two more processes to wake); the gateway's own work is the difference
 * between it and the gateway.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Dispatcher, Pool } from 'undici';
import { HOP_BY_HOP as GATEWAY_HOP_BY_HOP } from '../../../src/enforce/proxy.js';

// The gateway's hop-by-hop headers, and what the transport sets itself on the way up.
const HOP_BY_HOP = new Set([...GATEWAY_HOP_BY_HOP, 'host', 'content-length']);

/** Starts the bare proxy in front of `upstream` on a free port; resolves to the port. */
export async function startBareProxy(upstream: string): Promise<number> {
  // As the gateway's Pool (src/enforce/proxy.ts): 1,024 connections, keep-alive 30 s, no pipelining.
  const pool = new Pool(upstream, { connections: 1_024, keepAliveTimeout: 30_000, pipelining: 1 });
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: string[] = [];
      const raw = req.rawHeaders;
      for (let i = 0; i < raw.length; i += 2)
        if (!HOP_BY_HOP.has((raw[i] as string).toLowerCase()))
          headers.push(raw[i] as string, raw[i + 1] as string);
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart() {},
        onResponseStart(_c, status: number, h: IncomingHttpHeaders) {
          const out: IncomingHttpHeaders = {};
          for (const k in h) if (k === 'content-length' || !HOP_BY_HOP.has(k)) out[k] = h[k];
          res.writeHead(status, out);
        },
        onResponseData(_c, chunk: Buffer) {
          res.write(chunk);
        },
        onResponseEnd() {
          res.end();
        },
        onResponseError(_c, err: Error) {
          if (!res.headersSent) res.writeHead(502).end();
          else res.destroy(err);
        },
      };
      pool.dispatch(
        {
          path: req.url ?? '/',
          method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
          headers,
          body: Buffer.concat(chunks),
          idempotent: false,
        },
        handler,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}
