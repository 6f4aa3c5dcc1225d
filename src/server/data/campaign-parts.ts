/**
 * A campaign's graph (and its JSON text), timeline, sample prompts and members' volumes, computed
 * once per version of the findings and kept (the store is read-only and the findings change only
 * when hunt rewrites them, so they cannot go stale meanwhile). Each costs 30–200 ms of queries at
 * 11.7M exchanges, and seconds for a campaign of thousands of accounts: the strongest
 * PRECOMPUTED campaigns are computed in the background once the index tables are ready (and again
 * when hunt rewrites the findings), one part at a time so that requests interleave with them; any
 * other campaign on its first view, kept in a small least-recently-used memo.
 */
import type { Campaign } from '../../formats/index.js';
import type { CampaignGraph, Timeline } from '../api-types.js';
import type { Findings, FindingsSource } from './findings.js';
import type { SampleText, StoreQueries } from './queries.js';

/** Campaigns whose parts are computed at start (strongest first). */
export const PRECOMPUTED = 32;
/** Other campaigns' parts kept (an analyst comes back to the same few). */
const LRU_SIZE = 16;
const STOPPED = '\u0000stopped';

export type WarmState =
  | { status: 'waiting' }
  | { status: 'warming'; done: number; of: number }
  | { status: 'ready'; campaigns: number; seconds: number }
  | { status: 'failed'; message: string };

interface Parts {
  graph?: Promise<CampaignGraph>;
  /** The graph serialised once: 2–3 MB of JSON for a campaign of thousands of accounts. */
  graphJson?: Promise<string>;
  timeline?: Promise<Timeline>;
  samples?: Promise<SampleText[]>;
  /** Members' exchanges and output tokens (the store is read-only: they cannot change). */
  volumes?: Promise<Map<string, { exchanges: number; output_tokens: number }>>;
}
type Part = keyof Parts;

export class CampaignParts {
  /** Findings version → precomputed campaigns' parts (only the current version is kept). */
  private pinned: { key: string; parts: Map<string, Parts> } | null = null;
  private readonly lru = new Map<string, Parts>();
  private state: WarmState = { status: 'waiting' };
  private warming: string | null = null;
  /** Settles when the current findings' precomputation has finished (or failed). */
  warmed: Promise<void> = Promise.resolve();

  constructor(
    private readonly queries: StoreQueries,
    private readonly findings: FindingsSource,
  ) {}

  status(): WarmState {
    return this.state;
  }

  /** Starts computing the strongest campaigns' parts for these findings, unless already done. */
  warm(f: Findings): Promise<void> {
    if (this.warming === f.loadedAt) return this.warmed;
    this.warming = f.loadedAt;
    const chosen = f.campaigns.slice(0, PRECOMPUTED);
    this.pinned = { key: f.loadedAt, parts: new Map(chosen.map((c) => [c.campaign_id, {}])) };
    this.lru.clear();
    const started = performance.now();
    this.warmed = (async () => {
      try {
        await this.queries.indexes.ready;
        this.state = { status: 'warming', done: 0, of: chosen.length };
        for (const [i, c] of chosen.entries()) {
          if (this.pinned?.key !== f.loadedAt) return; // newer findings took over
          for (const part of ['volumes', 'samples', 'timeline', 'graph', 'graphJson'] as const)
            if (this.pinned?.key === f.loadedAt) await this.get(f, c, part);
          this.state = { status: 'warming', done: i + 1, of: chosen.length };
        }
        this.state = {
          status: 'ready',
          campaigns: chosen.length,
          seconds: (performance.now() - started) / 1000,
        };
      } catch (err) {
        this.state = { status: 'failed', message: (err as Error).message.split('\n')[0] ?? 'failed' };
      }
    })();
    return this.warmed;
  }

  /** Stops precomputing after the part in progress (the server is closing). */
  stop(): Promise<void> {
    this.pinned = null;
    this.warming = STOPPED;
    return this.warmed;
  }

  /** Starts warming at start-up: the first findings, once the index tables are ready. */
  start(): void {
    void this.findings
      .get()
      .then((f) => this.warm(f))
      .catch(() => undefined);
  }

  graph(f: Findings, c: Campaign): Promise<CampaignGraph> {
    return this.get(f, c, 'graph') as Promise<CampaignGraph>;
  }

  /** The graph as JSON text, serialised once. */
  graphJson(f: Findings, c: Campaign): Promise<string> {
    return this.get(f, c, 'graphJson') as Promise<string>;
  }

  volumes(f: Findings, c: Campaign): Promise<Map<string, { exchanges: number; output_tokens: number }>> {
    return this.get(f, c, 'volumes') as Promise<Map<string, { exchanges: number; output_tokens: number }>>;
  }

  timeline(f: Findings, c: Campaign): Promise<Timeline> {
    return this.get(f, c, 'timeline') as Promise<Timeline>;
  }

  samples(f: Findings, c: Campaign): Promise<SampleText[]> {
    return this.get(f, c, 'samples') as Promise<SampleText[]>;
  }

  private get(f: Findings, c: Campaign, part: Part): Promise<unknown> {
    // Findings reloaded since the last precomputation: start over for the new version.
    if (this.warming !== f.loadedAt && this.warming !== STOPPED) void this.warm(f);
    const id = c.campaign_id;
    let parts = this.pinned?.key === f.loadedAt ? this.pinned.parts.get(id) : undefined;
    if (parts === undefined) {
      const key = `${f.loadedAt}\u0000${id}`;
      parts = this.lru.get(key) ?? {};
      this.lru.delete(key);
      this.lru.set(key, parts);
      while (this.lru.size > LRU_SIZE) this.lru.delete(this.lru.keys().next().value as string);
    }
    const held = parts as Partial<Record<Part, Promise<unknown>>>;
    const known = held[part];
    if (known !== undefined) return known;
    const p = this.compute(f, c, part);
    held[part] = p;
    // A failure is not kept: the next call tries again.
    p.catch(() => {
      if (held[part] === p) delete held[part];
    });
    return p;
  }

  private async compute(f: Findings, c: Campaign, part: Part): Promise<unknown> {
    switch (part) {
      case 'graph': {
        const scores = new Map(c.accounts.map((a) => [a as string, f.verdicts.get(a)?.score ?? 0]));
        return this.queries.campaignGraph(c.accounts, c.indicators, scores);
      }
      case 'graphJson':
        return JSON.stringify(await this.graph(f, c));
      case 'volumes':
        return this.queries.accountVolumes(c.accounts);
      case 'timeline':
        return this.queries.timeline(c.accounts, await this.queries.releases());
      case 'samples':
        return this.queries.sampleRows(c.accounts);
    }
  }
}
