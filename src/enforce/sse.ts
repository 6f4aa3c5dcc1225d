/**
 * Server-sent events (https://html.spec.whatwg.org/multipage/server-sent-events.html) on the
 * gateway's side: a usage reader that looks at a copy of the bytes already sent (it never
 * changes them), and the degrade filter that removes reasoning events for flagged traffic.
 *
 * Where each API puts its usage in a stream: OpenAI chat completions in the last chunk (with
 * `stream_options.include_usage`), the Responses API in `response.completed`, Anthropic in
 * `message_start` (input) and `message_delta` (output, cumulative).
 */
import { StringDecoder } from 'node:string_decoder';
import {
  type Endpoint,
  isReasoningItem,
  isThinkingBlock,
  mergeUsage,
  stripReasoningFields,
  type Usage,
  usageObject,
} from './api.js';

/** A line longer than this is not kept for parsing (usage events are a few hundred bytes; a
 * longer line is model text, and keeping it would let one response hold unbounded memory). */
export const MAX_SSE_LINE_CHARS = 1 << 20;

const USAGE_KEY = /"usage"\s*:\s*\{/;

/** Reads token usage from the data lines of an event stream, chunk by chunk. */
export class SseUsageReader {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';
  private skipping = false;
  readonly usage: Usage = {};

  push(chunk: Buffer | Uint8Array): void {
    const text = this.decoder.write(chunk as Buffer);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      if (this.skipping) this.skipping = false;
      else this.line(this.rest === '' ? text.slice(start, nl) : this.rest + text.slice(start, nl));
      this.rest = '';
      start = nl + 1;
    }
    if (this.skipping) return;
    const tail = text.slice(start);
    if (this.rest.length + tail.length > MAX_SSE_LINE_CHARS) {
      this.rest = '';
      this.skipping = true;
    } else if (tail !== '') this.rest += tail;
  }

  end(): Usage {
    const tail = this.rest + this.decoder.end();
    if (!this.skipping && tail !== '') this.line(tail);
    this.rest = '';
    return this.usage;
  }

  private line(raw: string): void {
    if (!raw.startsWith('data:') || !USAGE_KEY.test(raw)) return;
    try {
      mergeUsage(this.usage, usageObject(JSON.parse(raw.slice(5))));
    } catch {
      // a data line that is not JSON carries no usage
    }
  }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Removes reasoning from an event stream, event by event: Anthropic `thinking` and
 * `redacted_thinking` content blocks (their start, deltas and stop; later blocks are renumbered
 * so that `index` stays dense, as SDKs that accumulate a message expect), OpenAI chat
 * `reasoning*` delta fields, and Responses reasoning items and `response.reasoning*` events
 * (later `output_index` values renumbered). Events it does not change are passed on as received.
 */
export class SseDegrader {
  private readonly decoder = new StringDecoder('utf8');
  private buf = '';
  /** Original indexes of the blocks or items dropped so far, ascending. */
  private readonly dropped: number[] = [];
  /** Events removed, for the gateway's counters. */
  removed = 0;

  constructor(private readonly endpoint: Endpoint) {}

  /** Bytes in, text out (possibly empty: an event is emitted once its blank line has arrived). */
  push(chunk: Buffer | Uint8Array): string {
    this.buf += this.decoder.write(chunk as Buffer);
    let out = '';
    for (;;) {
      const m = /\r?\n\r?\n/.exec(this.buf);
      if (m === null) break;
      const end = m.index + m[0].length;
      out += this.event(this.buf.slice(0, end));
      this.buf = this.buf.slice(end);
    }
    return out;
  }

  end(): string {
    const rest = this.buf + this.decoder.end();
    this.buf = '';
    return rest === '' ? '' : this.event(rest);
  }

  /** One event's raw text (with its terminating blank line) → what is sent instead. */
  private event(raw: string): string {
    const lines = raw.split(/\r?\n/);
    let name: string | null = null;
    const data: string[] = [];
    for (const l of lines) {
      if (l.startsWith('data:')) data.push(l.slice(l.startsWith('data: ') ? 6 : 5));
      else if (l.startsWith('event:')) name = l.slice(6).trim();
    }
    if (data.length === 0) return raw;
    let json: unknown;
    try {
      json = JSON.parse(data.join('\n'));
    } catch {
      return raw; // e.g. OpenAI's `data: [DONE]`
    }
    if (!isObject(json)) return raw;
    const verdict = this.filter(json);
    if (verdict === 'keep') return raw;
    if (verdict === 'drop') {
      this.removed++;
      return '';
    }
    return `${name !== null ? `event: ${name}\n` : ''}data: ${JSON.stringify(json)}\n\n`;
  }

  /** Original index → index after the drops before it. */
  private renumber(i: number): number {
    let before = 0;
    for (const d of this.dropped) if (d < i) before++;
    return i - before;
  }

  private filter(e: Json): 'keep' | 'drop' | 'changed' {
    switch (this.endpoint) {
      case 'messages': {
        if (typeof e.index !== 'number') return 'keep';
        if (e.type === 'content_block_start' && isThinkingBlock(e.content_block)) {
          this.dropped.push(e.index);
          return 'drop';
        }
        if (this.dropped.includes(e.index)) return 'drop';
        if (this.dropped.length === 0) return 'keep';
        const n = this.renumber(e.index);
        if (n === e.index) return 'keep';
        e.index = n;
        return 'changed';
      }
      case 'chat.completions': {
        if (!Array.isArray(e.choices)) return 'keep';
        let changed = false;
        for (const c of e.choices)
          if (isObject(c) && (stripReasoningFields(c.delta) || stripReasoningFields(c.message)))
            changed = true;
        return changed ? 'changed' : 'keep';
      }
      case 'responses': {
        const type = typeof e.type === 'string' ? e.type : '';
        if (type.startsWith('response.reasoning')) return 'drop';
        if (typeof e.output_index === 'number') {
          if (
            (type === 'response.output_item.added' || type === 'response.output_item.done') &&
            isReasoningItem(e.item)
          ) {
            if (!this.dropped.includes(e.output_index)) this.dropped.push(e.output_index);
            return 'drop';
          }
          if (this.dropped.includes(e.output_index)) return 'drop';
          const n = this.renumber(e.output_index);
          if (n !== e.output_index) {
            e.output_index = n;
            return 'changed';
          }
        }
        if (isObject(e.response) && Array.isArray(e.response.output)) {
          const kept = e.response.output.filter((i) => !isReasoningItem(i));
          if (kept.length !== e.response.output.length) {
            e.response.output = kept;
            return 'changed';
          }
        }
        return 'keep';
      }
    }
  }
}
