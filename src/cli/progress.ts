/**
 * Progress for long work, one helper for every command: a bar when stderr is a terminal,
 * a plain line every few seconds otherwise (CI logs, pipes), nothing with `quiet`.
 */
import cliProgress from 'cli-progress';

/** Plain progress lines at most this often, so a log is readable and not flooded. */
export const PROGRESS_LINE_MS = 2000;

export interface ProgressOptions {
  /** A short word before the bar: 'simulate', 'ingest' … */
  label: string;
  /** Total units of work (bytes, percent …). */
  total: number;
  /** Renders `done`/`total` for the human, e.g. bytes → '12.3 MB'. */
  show?: (units: number) => string;
  quiet?: boolean;
  stream?: NodeJS.WriteStream;
}

export interface Progress {
  /** `detail`: a few words on what is happening now (records so far, current file). */
  update(done: number, detail?: string): void;
  /** Changes the total (e.g. once the next file's size is known). */
  setTotal(total: number): void;
  stop(): void;
}

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const show = opts.show ?? ((n: number) => String(n));
  let total = Math.max(1, opts.total);
  if (opts.quiet) return { update() {}, setTotal() {}, stop() {} };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${opts.label} [{bar}] {percentage}% | {shown} | {detail}`,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, detail = '') {
        const payload = { shown: `${show(done)}/${show(total)}`, detail };
        if (!started) {
          bar.start(total, done, payload);
          started = true;
        } else bar.update(done, payload);
      },
      setTotal(t) {
        total = Math.max(1, t);
        if (started) bar.setTotal(total);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = 0;
  return {
    update(done, detail = '') {
      const now = performance.now();
      if (now - last < PROGRESS_LINE_MS && done < total) return;
      last = now;
      const pct = Math.min(100, Math.floor((100 * done) / total));
      stream.write(`${opts.label}: ${pct}% (${show(done)}/${show(total)})${detail ? `, ${detail}` : ''}\n`);
    },
    setTotal(t) {
      total = Math.max(1, t);
    },
    stop() {},
  };
}
