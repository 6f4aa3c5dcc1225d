import { closeSync, openSync, rmSync, writeSync } from 'node:fs';

/**
 * A JSON Lines file written a few records at a time, synchronously (rejects, alerts): each
 * record is on disk when `write` returns, so a crash loses nothing already reported. A stale
 * file from an earlier run is removed at once; the file is created on the first record, so a
 * clean run leaves none behind (and a later `ingest data/*.jsonl` does not pick it up as input).
 */
export class LineFile {
  private fd: number | null = null;
  written = 0;
  constructor(readonly path: string | null) {
    if (path !== null) rmSync(path, { force: true });
  }
  write(records: readonly object[]): void {
    if (this.path === null || records.length === 0) return;
    this.fd ??= openSync(this.path, 'w');
    let text = '';
    for (const r of records) text += `${JSON.stringify(r)}\n`;
    writeSync(this.fd, text);
    this.written += records.length;
  }
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
