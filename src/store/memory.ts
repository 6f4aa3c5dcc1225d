/**
 * In-memory `Store`: plain maps and arrays. The reference the DuckDB adapter is held to
 * by the contract suite, and a store for tests and small runs (everything lives in RAM).
 */
import type { Account, Exchange, Label, RecordKind, RecordOf, Release } from '../formats/index.js';
import { exchangeKey } from './keys.js';
import {
  compareKeys,
  type IngestResult,
  type LabelBreakdownRow,
  SCAN_BATCH_ROWS,
  type ScanOptions,
  type SmallKind,
  type Store,
  type StoreCounts,
  type TimeRange,
} from './port.js';

/** A copy that shares nothing with the caller's object (extra may hold nested values). */
function copy<T extends { extra?: Record<string, unknown> }>(r: T): T {
  const out = { ...r };
  if (r.extra !== undefined) out.extra = structuredClone(r.extra);
  return out;
}

/** Orders breakdown rows: attack, legit, unlabelled; then archetype. */
export function compareBreakdown(a: LabelBreakdownRow, b: LabelBreakdownRow): number {
  const la = a.label ?? '~';
  const lb = b.label ?? '~';
  if (la !== lb) return la < lb ? -1 : 1;
  const aa = a.archetype ?? '~';
  const ab = b.archetype ?? '~';
  return aa < ab ? -1 : aa > ab ? 1 : 0;
}

export class MemoryStore implements Store {
  readonly adapter = 'memory';
  private readonly exchanges: Exchange[] = [];
  private readonly exchangeKeys = new Set<string>();
  private readonly accounts = new Map<string, Account>();
  private readonly releases = new Map<string, Release>();
  private readonly labels = new Map<string, Label>();
  private closed = false;

  async ingest<K extends RecordKind>(kind: K, records: readonly RecordOf[K][]): Promise<IngestResult> {
    this.assertOpen();
    let accepted = 0;
    switch (kind) {
      case 'exchanges':
        for (const r of records as readonly Exchange[]) {
          const key = exchangeKey(r);
          if (this.exchangeKeys.has(key)) continue;
          this.exchangeKeys.add(key);
          this.exchanges.push(copy(r));
          accepted++;
        }
        break;
      case 'accounts':
        accepted = putFirst(this.accounts, records as readonly Account[], (r) => r.account_id);
        break;
      case 'releases':
        accepted = putFirst(this.releases, records as readonly Release[], (r) => r.model);
        break;
      case 'labels':
        accepted = putFirst(this.labels, records as readonly Label[], (r) => r.account_id);
        break;
      default:
        throw new Error(`unknown record kind ${String(kind)}`);
    }
    return { accepted, duplicates: records.length - accepted };
  }

  async counts(): Promise<StoreCounts> {
    this.assertOpen();
    return {
      exchanges: this.exchanges.length,
      accounts: this.accounts.size,
      releases: this.releases.size,
      labels: this.labels.size,
    };
  }

  async readAll<K extends SmallKind>(kind: K): Promise<RecordOf[K][]> {
    this.assertOpen();
    const map = { accounts: this.accounts, releases: this.releases, labels: this.labels }[kind] as Map<
      string,
      RecordOf[K]
    >;
    return [...map.entries()].sort((a, b) => compareKeys(a[0], b[0])).map(([, r]) => copy(r));
  }

  async timeRange(): Promise<TimeRange | null> {
    this.assertOpen();
    if (this.exchanges.length === 0) return null;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const e of this.exchanges) {
      if (e.ts < min) min = e.ts;
      if (e.ts > max) max = e.ts;
    }
    return { min, max };
  }

  async labelBreakdown(): Promise<LabelBreakdownRow[]> {
    this.assertOpen();
    const groups = new Map<string, LabelBreakdownRow>();
    const groupOf = (label: Label | undefined): LabelBreakdownRow => {
      const k = label === undefined ? '' : JSON.stringify([label.label, label.archetype]);
      let g = groups.get(k);
      if (g === undefined) {
        g = { label: label?.label ?? null, archetype: label?.archetype ?? null, accounts: 0, exchanges: 0 };
        groups.set(k, g);
      }
      return g;
    };
    for (const l of this.labels.values()) groupOf(l).accounts++;
    const unlabelled = new Set<string>();
    for (const e of this.exchanges) {
      const l = this.labels.get(e.account_id);
      groupOf(l).exchanges++;
      if (l === undefined) unlabelled.add(e.account_id);
    }
    if (unlabelled.size > 0) groupOf(undefined).accounts = unlabelled.size;
    return [...groups.values()].sort(compareBreakdown);
  }

  async *scanExchanges(opts: ScanOptions = {}): AsyncIterable<Exchange[]> {
    this.assertOpen();
    const batchSize = opts.batchSize ?? SCAN_BATCH_ROWS;
    const from = opts.from ?? Number.NEGATIVE_INFINITY;
    const to = opts.to ?? Number.POSITIVE_INFINITY;
    const order: number[] = [];
    for (let i = 0; i < this.exchanges.length; i++) {
      const ts = (this.exchanges[i] as Exchange).ts;
      if (ts >= from && ts < to) order.push(i);
    }
    // Array.prototype.sort is stable: ties keep ingest order, as in the DuckDB adapter.
    order.sort((a, b) => (this.exchanges[a] as Exchange).ts - (this.exchanges[b] as Exchange).ts);
    for (let i = 0; i < order.length; i += batchSize) {
      yield order.slice(i, i + batchSize).map((j) => copy(this.exchanges[j] as Exchange));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }
}

function putFirst<T extends { extra?: Record<string, unknown> }>(
  map: Map<string, T>,
  records: readonly T[],
  key: (r: T) => string,
): number {
  let accepted = 0;
  for (const r of records) {
    const k = key(r);
    if (map.has(k)) continue;
    map.set(k, copy(r));
    accepted++;
  }
  return accepted;
}

export async function createMemoryStore(): Promise<MemoryStore> {
  return new MemoryStore();
}
