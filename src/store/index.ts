/** The store stage: the `Store` port, its adapters and the file ingest driver. */
export type { DuckDbStoreOptions } from './duckdb.js';
export { COMMIT_EVERY_ROWS, DuckDbStore, openDuckDbStore, SCHEMA_VERSION } from './duckdb.js';
export { DuckDbFeatureSource, SUBNET_SQL } from './duckdb-features.js';
export type {
  AccountAggregate,
  AccountInfo,
  ArtifactKind,
  ColumnPresence,
  DailyCount,
  FeatureSource,
  SharedArtifact,
  TextSampleRow,
  UnitExchangeRow,
  YardstickQuery,
} from './features.js';
export {
  ARTIFACT_KINDS,
  accountInfoOf,
  FAST_GAP_MS,
  PIVOT_MIN_EXCHANGES,
  PIVOT_WINDOW_MS,
  subnetOf,
} from './features.js';
export type { FileSummary, IngestOptions, IngestProgress, IngestSummary, IngestTotals } from './ingest.js';
export { ingestFiles } from './ingest.js';
export { exchangeContentHash, exchangeKey } from './keys.js';
export { createMemoryStore, MemoryStore } from './memory.js';
export type {
  IngestResult,
  LabelBreakdownRow,
  ScanOptions,
  SmallKind,
  Store,
  StoreCounts,
  StoreFactory,
  TimeRange,
} from './port.js';
export { compareKeys, recordKey, SCAN_BATCH_ROWS } from './port.js';
