/** JSON Lines reader (plain or .gz): lines → JSON → validated records, in batches. */
import type { Readable } from 'node:stream';
import { checkRecord } from './check.js';
import type { RecordIssue } from './issues.js';
import { readLines } from './lines.js';
import type { RecordBatch, RecordStream } from './read-types.js';
import type { RecordKind, RecordOf } from './schemas.js';
import { validateRecord } from './validate.js';

function jsonError(err: unknown, text: string): string {
  const msg = err instanceof Error ? err.message : String(err);
  return `not valid JSON (${msg.length > 120 ? `${msg.slice(0, 120)}…` : msg}); line starts ${JSON.stringify(text.slice(0, 40))}`;
}

/** Records of a JSON Lines file, or of an open byte stream (stdin, a request body). */
export async function* readJsonl<K extends RecordKind>(
  input: string | Readable,
  kind: K,
  file = typeof input === 'string' ? input : '<stream>',
): RecordStream<K> {
  for await (const lb of readLines(input, file)) {
    const out: RecordBatch<RecordOf[K]> = {
      records: [],
      lines: [],
      issues: lb.issues,
      bytesRead: lb.bytesRead,
    };
    for (let i = 0; i < lb.lines.length; i++) {
      const text = lb.lines[i]!;
      const line = lb.lineNos[i]!;
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch (err) {
        out.issues.push({
          file,
          line,
          field: null,
          code: 'bad_json',
          reason: jsonError(err, text),
          action: 'rejected',
        });
        continue;
      }
      const v =
        typeof obj === 'object' && obj !== null && !Array.isArray(obj)
          ? checkRecord(kind, obj as Record<string, unknown>, file, line)
          : validateRecord(kind, obj, file, line);
      if (v.ok) {
        out.records.push(v.record);
        out.lines.push(line);
        if (v.repairs.length > 0) out.issues.push(...v.repairs);
      } else {
        out.issues.push(v.issue);
      }
    }
    yield out;
  }
}

export type { RecordIssue };
