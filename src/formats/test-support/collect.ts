/** Helpers shared by the readers' tests: temp files, and a stream read whole. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { RecordIssue } from '../issues.js';
import type { RecordBatch } from '../read-types.js';

export interface Collected<T> {
  records: T[];
  lines: number[];
  issues: RecordIssue[];
  batches: RecordBatch<T>[];
}

/** Reads a record stream to the end, keeping every batch as well as their concatenation. */
export async function collectBatches<T>(stream: AsyncIterable<RecordBatch<T>>): Promise<Collected<T>> {
  const out: Collected<T> = { records: [], lines: [], issues: [], batches: [] };
  for await (const b of stream) {
    out.batches.push(b);
    out.records.push(...b.records);
    out.lines.push(...b.lines);
    out.issues.push(...b.issues);
  }
  return out;
}

export const rejected = (issues: readonly RecordIssue[]): RecordIssue[] =>
  issues.filter((i) => i.action === 'rejected');

/** A temp folder removed after the test file; `write` puts content in a new file there. */
export function tempDir(prefix: string): {
  dir: string;
  write: (content: string | Buffer, ext: string) => string;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let fileNo = 0;
  return {
    dir,
    write(content, ext) {
      const path = join(dir, `f${fileNo++}${ext}`);
      writeFileSync(path, content);
      return path;
    },
  };
}
