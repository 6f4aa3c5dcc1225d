import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonlWriter } from './write.js';

const dir = mkdtempSync(join(tmpdir(), 'dg-write-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('JsonlWriter', () => {
  it('writes objects and pre-encoded lines, one per line, with dates as RFC 3339', async () => {
    const path = join(dir, 'a.jsonl');
    const w = new JsonlWriter(path);
    w.write({ account_id: 'a1', created_at: new Date(Date.UTC(2026, 1, 2, 3, 4, 5, 6)) });
    w.write('{"account_id":"a2"}');
    await w.close();
    expect(readFileSync(path, 'utf8')).toBe(
      '{"account_id":"a1","created_at":"2026-02-02T03:04:05.006Z"}\n{"account_id":"a2"}\n',
    );
    expect(w.lines).toBe(2);
  });

  it('gzips when asked (or by extension) and keeps non-ASCII text intact', async () => {
    const path = join(dir, 'b.jsonl.gz');
    const w = new JsonlWriter(path);
    const rows = ['請一步一步思考', 'Réfléchis étape par étape', 'emoji 🙂', 'plain'];
    for (const prompt of rows) w.write({ prompt });
    await w.close();
    const back = gunzipSync(readFileSync(path))
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { prompt: string }).prompt);
    expect(back).toEqual(rows);
  });

  it('handles lines larger than its buffer and many small ones across flushes, honouring backpressure', async () => {
    const path = join(dir, 'c.jsonl');
    const w = new JsonlWriter(path, { bufferBytes: 1024, highWaterMark: 4096 });
    const big = 'x'.repeat(10_000);
    let waits = 0;
    for (let i = 0; i < 5000; i++) {
      const ok = w.write(i % 1000 === 0 ? { i, big } : { i });
      if (!ok) {
        waits++;
        await w.drain();
      }
    }
    await w.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBe(5000);
    expect(lines.map((l) => (JSON.parse(l) as { i: number }).i)).toEqual(
      Array.from({ length: 5000 }, (_, i) => i),
    );
    expect(waits).toBeGreaterThan(0);
  });

  it('builds a line from appended strings and pre-encoded bytes', async () => {
    const path = join(dir, 'e.jsonl');
    const w = new JsonlWriter(path, { bufferBytes: 1024 });
    const bytes = Buffer.from(JSON.stringify('déjà vu 🙂'));
    const big = Buffer.from(JSON.stringify('y'.repeat(5000)));
    for (let i = 0; i < 300; i++) {
      w.append(`{"i":${i},"prompt":`);
      w.append(i % 100 === 0 ? big : bytes);
      w.write('}');
    }
    await w.close();
    const rows = readFileSync(path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { i: number; prompt: string });
    expect(rows.length).toBe(300);
    expect(rows[1]).toEqual({ i: 1, prompt: 'déjà vu 🙂' });
    expect(rows[100]?.prompt.length).toBe(5000);
    expect(w.lines).toBe(300);
  });

  it('writes lines in place (room / commit / endLine), across flushes and lines larger than the buffer, honouring backpressure', async () => {
    for (const gzip of [false, true]) {
      const path = join(dir, gzip ? 'f.jsonl.gz' : 'f.jsonl');
      const w = new JsonlWriter(path, { bufferBytes: 1024, highWaterMark: 4096 });
      const want: string[] = [];
      let waits = 0;
      for (let i = 0; i < 3000; i++) {
        const text = i % 500 === 7 ? 'z'.repeat(3000) : `row ${i} é`;
        const head = Buffer.from(`{"i":${i},"text":`);
        const body = Buffer.from(JSON.stringify(text));
        want.push(`{"i":${i},"text":${JSON.stringify(text)}}`);
        // a line written in two parts: the second `room` may flush the first part
        let buf = w.room(head.length);
        buf.set(head, w.offset);
        w.commit(w.offset + head.length);
        buf = w.room(body.length + 2);
        let p = w.offset;
        buf.set(body, p);
        p += body.length;
        buf[p++] = 125;
        if (!w.endLine(p)) {
          waits++;
          await w.drain();
        }
      }
      await w.close();
      const raw = readFileSync(path);
      const back = (gzip ? gunzipSync(raw) : raw).toString('utf8');
      expect(back).toBe(`${want.join('\n')}\n`);
      expect(w.lines).toBe(3000);
      expect(waits).toBeGreaterThan(0);
    }
  });

  it('refuses writes after close', async () => {
    const w = new JsonlWriter(join(dir, 'd.jsonl'));
    await w.close();
    expect(() => w.write({})).toThrow(/after close/);
  });
});
