/**
 * `distillguard ingest FILE… --db PATH`: loads log files into the store, idempotently,
 * with a progress bar on stderr and a reconciled summary on stdout.
 */
import { basename } from 'node:path';
import { type Command, Option } from 'commander';
import { FormatError, INPUT_FORMATS, type InputFormat, type RecordKind } from '../formats/index.js';
import { type IngestProgress, type IngestSummary, ingestFiles, openDuckDbStore } from '../store/index.js';

import { createProgress } from './progress.js';

export const DEFAULT_DB = './distillguard.duckdb';
const KINDS = ['exchanges', 'accounts', 'releases', 'labels'] as const satisfies readonly RecordKind[];

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

/** Ingest progress by bytes of all inputs (a bar on a terminal, plain lines otherwise). */
export function ingestProgress(quiet = false): { update: (p: IngestProgress) => void; stop: () => void } {
  const bar = createProgress({ label: 'ingest', total: 1, show: (b) => `${mb(b)} MB`, quiet });
  return {
    update(p) {
      bar.setTotal(p.bytesTotal);
      bar.update(
        p.bytesRead,
        `${p.records.toLocaleString('en-US')} records, file ${p.fileIndex + 1}/${p.files} ${basename(p.file)}`,
      );
    },
    stop: () => bar.stop(),
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
      let store: Awaited<ReturnType<typeof openDuckDbStore>>;
      try {
        store = await openDuckDbStore(flags.db);
      } catch (err) {
        // e.g. the file is locked by another process, or is not a DuckDB database
        const reason = err instanceof Error ? err.message : String(err);
        throw new FormatError('unreadable', `${flags.db}: cannot open the store: ${reason}`, flags.db);
      }
      const progress = ingestProgress();
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
      out.push(
        summary.rejectsPath !== null
          ? `issues: ${t.rejected.toLocaleString('en-US')} rejected, ${t.repaired.toLocaleString('en-US')} repaired, ${t.fileIssues} about files; ${summary.issuesWritten.toLocaleString('en-US')} written to ${summary.rejectsPath}`
          : 'no rejected or repaired records (no rejects file written)',
      );
      out.push(
        `store ${flags.db} now holds ${counts.exchanges.toLocaleString('en-US')} exchanges, ${counts.accounts.toLocaleString('en-US')} accounts, ${counts.releases} releases, ${counts.labels.toLocaleString('en-US')} labels`,
      );
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
