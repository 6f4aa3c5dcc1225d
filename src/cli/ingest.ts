/**
 * `distillguard ingest FILE… --db PATH`: loads log files into the store, idempotently,
 * with a progress bar on stderr and a reconciled summary on stdout.
 */
import { basename } from 'node:path';
import { SingleBar } from 'cli-progress';
import { type Command, Option } from 'commander';
import { INPUT_FORMATS, type InputFormat, type RecordKind } from '../formats/index.js';
import { type IngestProgress, type IngestSummary, ingestFiles, openDuckDbStore } from '../store/index.js';

export const DEFAULT_DB = './distillguard.duckdb';
const KINDS = ['exchanges', 'accounts', 'releases', 'labels'] as const satisfies readonly RecordKind[];
/** When stderr is not a terminal (CI, a log file), one plain progress line this often. */
const PROGRESS_LINE_MS = 5000;

const HELP = `
Each FILE holds records of one kind, told by its name (exchanges*.jsonl,
accounts.csv, labels.jsonl.gz, releases.parquet …) or by --kind. Formats: JSON Lines
(.jsonl, .ndjson, .json), CSV, Parquet, OTLP spans (.otlp.json[l]), each optionally .gz;
fields as in the project's formats spec (docs: spec/formats.md).

Ingest is idempotent: an exchange with a request_id already stored is a duplicate, one
without a request_id is a duplicate when its whole content is; accounts and labels are
keyed by account_id, releases by model, and the first record stored wins. Bad records
never stop the run: each is counted and written, with its file, line, field and reason,
to the rejects file (one JSON object per line). Per file, the summary reconciles:
  read = accepted + rejected + duplicates    (repaired records are among the accepted)

Examples:
  distillguard ingest data/exchanges.jsonl data/accounts.jsonl data/labels.jsonl
  distillguard ingest logs/*.jsonl.gz --db /var/lib/dg/store.duckdb --rejects bad.jsonl
  distillguard ingest export.csv --kind exchanges

Exit status: 0 done (even with rejected records), 2 a file is missing or unreadable, or
a flag is wrong.`;

interface IngestFlags {
  db: string;
  kind?: RecordKind;
  format?: InputFormat;
  rejects?: string;
}

/** `store.duckdb` → `store.rejects.jsonl`, beside the database. */
export function defaultRejectsPath(db: string): string {
  const base = db === ':memory:' ? './distillguard.duckdb' : db;
  return `${base.replace(/\.duckdb$/i, '')}.rejects.jsonl`;
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/** A progress reporter: a bar on a terminal, a plain line every few seconds otherwise. */
function progressReporter(stream: NodeJS.WriteStream): {
  update: (p: IngestProgress) => void;
  stop: () => void;
} {
  if (stream.isTTY) {
    const bar = new SingleBar(
      {
        stream,
        format: 'ingest [{bar}] {percentage}% | {done}/{all} MB | {records} records | {file}',
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 20,
      },
      undefined,
    );
    let started = false;
    return {
      update(p) {
        const payload = {
          done: mb(p.bytesRead),
          all: mb(p.bytesTotal),
          records: p.records.toLocaleString('en-US'),
          file: basename(p.file),
        };
        if (!started) {
          bar.start(Math.max(1, p.bytesTotal), p.bytesRead, payload);
          started = true;
        } else bar.update(p.bytesRead, payload);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = performance.now();
  return {
    update(p) {
      const now = performance.now();
      if (now - last < PROGRESS_LINE_MS) return;
      last = now;
      const pct = p.bytesTotal > 0 ? Math.floor((100 * p.bytesRead) / p.bytesTotal) : 100;
      stream.write(
        `ingest: ${pct}% (${mb(p.bytesRead)}/${mb(p.bytesTotal)} MB), ${p.records.toLocaleString('en-US')} records, file ${p.fileIndex + 1}/${p.files} ${basename(p.file)}\n`,
      );
    },
    stop() {},
  };
}

/** The summary table: one line per file and a total. */
export function formatSummary(summary: IngestSummary): string {
  const head = [
    'file',
    'kind',
    'read',
    'accepted',
    'rejected',
    'duplicates',
    'repaired',
    'seconds',
    'records/s',
  ];
  const n = (x: number) => x.toLocaleString('en-US');
  const rate = (read: number, s: number) => (s > 0 ? n(Math.round(read / s)) : '-');
  const rows = summary.files.map((f) => [
    f.file,
    f.kind,
    n(f.read),
    n(f.accepted),
    n(f.rejected),
    n(f.duplicates),
    n(f.repaired),
    f.seconds.toFixed(2),
    rate(f.read, f.seconds),
  ]);
  const t = summary.total;
  rows.push([
    'total',
    '',
    n(t.read),
    n(t.accepted),
    n(t.rejected),
    n(t.duplicates),
    n(t.repaired),
    t.seconds.toFixed(2),
    rate(t.read, t.seconds),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(head), rule, ...rows.slice(0, -1).map(line), rule, line(rows[rows.length - 1] ?? [])].join(
    '\n',
  );
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .summary('load log files (exchanges, accounts, releases, labels) into the store')
    .description(
      'Load log files into the store (a DuckDB file), idempotently; bad records go to a rejects file.',
    )
    .argument('<files...>', 'input files (kind from the name, e.g. exchanges-2026-10.jsonl.gz)')
    .option('--db <path>', 'the store: a DuckDB database file, created if missing', DEFAULT_DB)
    .addOption(
      new Option('--kind <kind>', 'record kind of every FILE, instead of guessing it from the name').choices(
        KINDS,
      ),
    )
    .addOption(
      new Option('--format <format>', 'format of every FILE, instead of guessing it from the name').choices(
        INPUT_FORMATS,
      ),
    )
    .option(
      '--rejects <file>',
      'where to write bad records, one JSON issue per line (default: beside the db, <db>.rejects.jsonl)',
    )
    .addHelpText('after', HELP)
    .action(async (files: string[], flags: IngestFlags) => {
      const rejectsPath = flags.rejects ?? defaultRejectsPath(flags.db);
      const store = await openDuckDbStore(flags.db === ':memory:' ? ':memory:' : flags.db);
      const progress = progressReporter(process.stderr);
      let summary: IngestSummary;
      try {
        summary = await ingestFiles(store, files, {
          ...(flags.kind === undefined ? {} : { kind: flags.kind }),
          ...(flags.format === undefined ? {} : { format: flags.format }),
          rejectsPath,
          onProgress: progress.update,
        });
      } finally {
        progress.stop();
      }
      const counts = await store.counts();
      await store.close();
      const out: string[] = [formatSummary(summary), ''];
      const t = summary.total;
      const issues = t.rejected + t.repaired + t.fileIssues;
      out.push(
        issues > 0
          ? `issues: ${t.rejected.toLocaleString('en-US')} rejected, ${t.repaired.toLocaleString('en-US')} repaired, ${t.fileIssues} about files; details in ${rejectsPath}`
          : `no rejected or repaired records (${rejectsPath} is empty)`,
      );
      out.push(
        `store ${flags.db} now holds ${counts.exchanges.toLocaleString('en-US')} exchanges, ${counts.accounts.toLocaleString('en-US')} accounts, ${counts.releases} releases, ${counts.labels.toLocaleString('en-US')} labels`,
      );
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
