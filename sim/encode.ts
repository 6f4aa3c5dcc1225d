/**
 * Encoding exchange lines, and running a share of the actors (a shard) into chunks of
 * time-ordered lines for the main thread to merge (simulate.ts). Each line is encoded straight
 * into a buffer: keys and punctuation copied from constant bytes, ids and IPs by a char-code loop,
 * numbers and the timestamp digit by digit, recurring text (client, system prompts, pool prompts)
 * from bytes encoded once, other prompts JSON-encoded once. No line string is built.
 */
import { promptFingerprint } from '../src/text/index.js';
import { type Actor, ActorHeap, DAY, type ExchangeStats, Out, type RequestIds, stats } from './engine.js';
import type { Client } from './infra.js';
import { ascii, bytes, jsonString, num, three, two } from './line.js';
import type { Prepared } from './prepare.js';

/** Keys and punctuation of an exchange line, as bytes (copying beats a char loop even for short runs). */
const K_ACCOUNT_ID = Buffer.from('Z","account_id":"');
const K_IP = Buffer.from('","ip":"');
const K_REQUEST_ID = Buffer.from('","request_id":"');
const K_API_KEY_ID = Buffer.from('","api_key_id":"');
const K_END_USER_ID = Buffer.from('","end_user_id":"');
const K_FORWARDED_FOR = Buffer.from('","forwarded_for":"');
const K_ENDPOINT = Buffer.from('","endpoint":"');
const K_MODEL = Buffer.from('","model":"');
const K_INPUT_TOKENS = Buffer.from('","input_tokens":');
const K_OUTPUT_TOKENS = Buffer.from(',"output_tokens":');
const K_STATUS = Buffer.from(',"status":');
const K_LATENCY_MS = Buffer.from(',"latency_ms":');
const K_TURNS = Buffer.from(',"turns":');
const K_TOOL_COUNT = Buffer.from(',"tool_count":');
const K_TEMPERATURE = Buffer.from(',"temperature":');
const K_PROMPT_FINGERPRINT = Buffer.from(',"prompt_fingerprint":"');
const K_REASONING_TRUE = Buffer.from(',"reasoning":true,"max_tokens":');
const K_REASONING_FALSE = Buffer.from(',"reasoning":false,"max_tokens":');
const K_HARVEST_TRUE = Buffer.from(',"harvest":true');
const K_HARVEST_FALSE = Buffer.from(',"harvest":false');
/** `,"prompt":` — what precedes the prompt when there is no system prompt. */
const PROMPT_KEY = Buffer.from(',"prompt":');
/** Upper bound on the bytes of an exchange line besides its variable strings: the keys, the
 * timestamp, the request id, seven numbers (at most 24 chars each as `String(n)`), the booleans
 * and the newline come to about 480; the rest is slack. */
const LINE_FIXED_BYTES = 640;
/** Bytes of a request id (`req_` + 16 hex digits). */
export const REQUEST_ID_BYTES = 20;

/** Resets the per-exchange slot to the defaults actors may leave untouched. */
export function resetOut(o: Out): void {
  o.endUser = undefined;
  o.forwardedFor = undefined;
  o.harvest = undefined;
  o.temperature = undefined;
  o.p429 = 0.004;
  o.outScale = 1;
  o.maxTokens = 4096;
}

/**
 * Encodes one exchange line in two steps: `measure(o)` (an upper bound on its bytes; also
 * resolves the cached parts) then `write(...)` into a buffer with at least that much room.
 * Caches (client bytes, system prompts, fingerprints, the day's timestamp prefix) only save work:
 * the bytes do not depend on what was encoded before.
 */
export class ExchangeEncoder {
  private readonly clientBytes = new Map<Client, Uint8Array>();
  private sysBytes = new Map<string, Uint8Array>();
  private fpCache = new Map<string, string>();
  private readonly fpByBytes = new Map<Uint8Array, string>();
  private lastDay = -1;
  private dayPrefix: Uint8Array = new Uint8Array(0);
  // resolved by `measure` for the following `write`
  private cb: Uint8Array = PROMPT_KEY;
  private sys: Uint8Array = PROMPT_KEY;
  private promptJson: string | undefined;
  private fp = '';
  /** Where the last `write` put the request id (its first byte). */
  ridAt = 0;

  constructor(private readonly privacy: boolean) {}

  /** Upper bound on the bytes of the line of `o` (time `t`), its newline included. */
  measure(t: number, o: Out): number {
    const day = Math.floor(t / DAY);
    if (day !== this.lastDay) {
      this.lastDay = day;
      this.dayPrefix = Buffer.from(`{"ts":"${new Date(day * DAY).toISOString().slice(0, 11)}`);
    }
    const client = o.client;
    let cb = this.clientBytes.get(client);
    if (cb === undefined) {
      cb = Buffer.from(`","user_agent":${JSON.stringify(client.userAgent)},"tls_fingerprint":"${client.ja4}`);
      this.clientBytes.set(client, cb);
    }
    this.cb = cb;
    const tx = o.text;
    let sys: Uint8Array = PROMPT_KEY;
    let promptJson: string | undefined;
    let fp = '';
    if (this.privacy) {
      // Pool and constant texts come with their bytes (one object per text): keying the cache on
      // that object skips hashing a long string on every lookup.
      const pb = tx.promptBytes;
      const f = pb !== undefined ? this.fpByBytes.get(pb) : this.fpCache.get(tx.prompt);
      if (f === undefined) {
        fp = promptFingerprint(tx.prompt);
        if (pb !== undefined) this.fpByBytes.set(pb, fp);
        else {
          if (this.fpCache.size > 200_000) this.fpCache = new Map();
          this.fpCache.set(tx.prompt, fp);
        }
      } else fp = f;
    } else {
      if (tx.system !== undefined) {
        let sb = this.sysBytes.get(tx.system);
        if (sb === undefined) {
          sb = Buffer.from(`,"system_prompt":${JSON.stringify(tx.system)},"prompt":`);
          if (this.sysBytes.size > 50_000) this.sysBytes = new Map();
          this.sysBytes.set(tx.system, sb);
        }
        sys = sb;
      }
      if (tx.promptBytes === undefined) promptJson = tx.prompt;
    }
    this.sys = sys;
    this.promptJson = promptJson;
    this.fp = fp;
    const endUser = o.endUser;
    const ff = o.forwardedFor;
    return (
      LINE_FIXED_BYTES +
      this.dayPrefix.length +
      cb.length +
      3 *
        (o.account.id.length +
          o.ip.length +
          o.key.length +
          (endUser?.length ?? 0) +
          (ff?.length ?? 0) +
          o.endpoint.length +
          o.model.length +
          fp.length +
          2 * (promptJson?.length ?? 0)) +
      (this.privacy ? 0 : sys.length + (tx.promptBytes?.length ?? 0))
    );
  }

  /** Writes the line measured last (without its newline) at `p`; returns its end. The request
   * id comes from `rids`, or when null its 20 bytes are left for the caller to fill (`ridAt`). */
  write(buf: Buffer, p: number, t: number, o: Out, st: ExchangeStats, rids: RequestIds | null): number {
    const sec = Math.floor(t / 1000);
    const sod = sec - this.lastDay * 86_400;
    const ms = t - sec * 1000;
    const tx = o.text;
    const endUser = o.endUser;
    const ff = o.forwardedFor;
    p = bytes(buf, p, this.dayPrefix);
    p = two(buf, p, Math.floor(sod / 3600));
    buf[p++] = 58; // :
    p = two(buf, p, Math.floor(sod / 60) % 60);
    buf[p++] = 58;
    p = two(buf, p, sod % 60);
    buf[p++] = 46; // .
    p = three(buf, p, ms);
    p = bytes(buf, p, K_ACCOUNT_ID);
    p = ascii(buf, p, o.account.id);
    p = bytes(buf, p, K_IP);
    p = ascii(buf, p, o.ip);
    p = bytes(buf, p, K_REQUEST_ID);
    this.ridAt = p;
    if (rids !== null) p = rids.writeNext(buf, p);
    else p += REQUEST_ID_BYTES;
    p = bytes(buf, p, K_API_KEY_ID);
    p = ascii(buf, p, o.key);
    if (endUser !== undefined) {
      p = bytes(buf, p, K_END_USER_ID);
      p = ascii(buf, p, endUser);
    }
    p = bytes(buf, p, this.cb);
    if (ff !== undefined) {
      p = bytes(buf, p, K_FORWARDED_FOR);
      p = ascii(buf, p, ff);
    }
    p = bytes(buf, p, K_ENDPOINT);
    p = ascii(buf, p, o.endpoint);
    p = bytes(buf, p, K_MODEL);
    p = ascii(buf, p, o.model);
    p = bytes(buf, p, K_INPUT_TOKENS);
    p = num(buf, p, st.inputTokens);
    p = bytes(buf, p, K_OUTPUT_TOKENS);
    p = num(buf, p, st.outputTokens);
    p = bytes(buf, p, K_STATUS);
    p = num(buf, p, st.status);
    p = bytes(buf, p, K_LATENCY_MS);
    p = num(buf, p, st.latencyMs);
    p = bytes(buf, p, K_TURNS);
    p = num(buf, p, tx.turns ?? 1);
    p = bytes(buf, p, K_TOOL_COUNT);
    p = num(buf, p, tx.toolCount ?? 0);
    p = bytes(buf, p, tx.reasoning === true ? K_REASONING_TRUE : K_REASONING_FALSE);
    p = num(buf, p, o.maxTokens);
    if (o.temperature !== undefined) {
      p = bytes(buf, p, K_TEMPERATURE);
      p = num(buf, p, Math.round(o.temperature * 100) / 100);
    }
    if (this.privacy) {
      p = bytes(buf, p, K_PROMPT_FINGERPRINT);
      p = ascii(buf, p, this.fp);
      buf[p++] = 34; // "
    } else {
      p = bytes(buf, p, this.sys);
      const promptJson = this.promptJson;
      if (promptJson !== undefined) p = jsonString(buf, p, promptJson);
      else p = bytes(buf, p, tx.promptBytes as Uint8Array);
    }
    if (o.harvest !== undefined) p = bytes(buf, p, o.harvest ? K_HARVEST_TRUE : K_HARVEST_FALSE);
    buf[p++] = 125; // }
    return p;
  }
}

// ---- shards ------------------------------------------------------------------------------------

/** Lines of a chunk; `meta` holds, per line, its time, actor index, end offset (after its
 * newline) and request-id offset. */
export const CHUNK_LINES = 8192;
/** Bytes of a chunk's lines (a line larger than that gets a chunk of its own size). Small enough
 * for the chunks in flight to stay in the CPU caches. */
export const CHUNK_BYTES = 1 << 20;
export const META = 4;

/** A batch of encoded, time-ordered lines of one shard, with their merge keys. */
export interface Chunk {
  data: Buffer;
  meta: Float64Array;
  /** Lines in the chunk. */
  n: number;
}

export function newChunk(bytes = CHUNK_BYTES): Chunk {
  return {
    data: Buffer.from(new ArrayBuffer(bytes)),
    meta: new Float64Array(new ArrayBuffer(CHUNK_LINES * META * 8)),
    n: 0,
  };
}

/** The shard (0 or 1) of the actor at `idx` when shard 0 gets the share `split` of the actors:
 * golden-ratio hashing spreads every archetype's actors over both shards in that proportion. */
export function shardOf(idx: number, split: number): number {
  const x = idx * 0.6180339887498949;
  return x - Math.floor(x) < split ? 0 : 1;
}

/**
 * Runs the actors of one shard (`shardOf(idx, split) === shard`) in time order, writing their lines into
 * chunks with the request ids left blank: request ids are numbered in the global order, which only
 * the merge knows. Within a shard the order is the global one restricted to its actors (same heap,
 * same keys), so merging shards by (time, actor index) gives back the single-thread order.
 */
export class ShardRun {
  private readonly heap = new ActorHeap();
  private readonly o = new Out();
  private readonly st: ExchangeStats = { inputTokens: 0, outputTokens: 0, status: 200, latencyMs: 0 };
  private readonly enc: ExchangeEncoder;
  private readonly end: number;
  /** A line generated but not yet written (it did not fit the previous chunk). */
  private pending = false;
  private pt = 0;
  private pidx = 0;
  private pneed = 0;
  done = false;
  exchanges = 0;
  harvest = 0;

  constructor(prep: Prepared, shard: number, split: number) {
    this.enc = new ExchangeEncoder(prep.privacy);
    this.end = prep.period.end;
    for (const a of prep.actors) if (shardOf(a.idx, split) === shard) this.heap.push(a);
  }

  /** Fills `c` with the next lines; sets `done` when the shard has no more. */
  fill(c: Chunk): void {
    const heap = this.heap;
    const o = this.o;
    const st = this.st;
    const enc = this.enc;
    let data = c.data;
    const meta = c.meta;
    let n = 0;
    let p = 0;
    for (;;) {
      if (!this.pending) {
        const a: Actor | undefined = heap.peek();
        if (!a || a.next >= this.end) {
          this.done = true;
          break;
        }
        this.pt = a.next;
        this.pidx = a.idx;
        resetOut(o);
        a.fill(o);
        stats(a.rng, o, st);
        a.advance();
        heap.fixTop();
        o.account.exchanges++;
        if (o.harvest === true) this.harvest++;
        this.exchanges++;
        this.pneed = enc.measure(this.pt, o);
        this.pending = true;
      }
      if (p + this.pneed > data.length || n === CHUNK_LINES) {
        if (n > 0) break;
        data = Buffer.from(new ArrayBuffer(this.pneed));
        c.data = data;
      }
      const e = enc.write(data, p, this.pt, o, st, null);
      data[e] = 10;
      const m = n * META;
      meta[m] = this.pt;
      meta[m + 1] = this.pidx;
      meta[m + 2] = e + 1;
      meta[m + 3] = enc.ridAt;
      p = e + 1;
      n++;
      this.pending = false;
    }
    c.n = n;
  }
}
