/**
 * Pushes what `watch` concludes to gateways as it happens (`watch --notify URL`): each alert,
 * and the campaigns of each full pass (their members and shared indicators, for campaign-wide
 * actions and ban evasion), as NDJSON to the gateway's `POST /_distillguard/v1/updates`
 * (docs/gateway.md) with its admin token. Batched (NOTIFY_FLUSH_MS or NOTIFY_BATCH records),
 * retried NOTIFY_ATTEMPTS times, then dropped and counted: detection never waits on a gateway.
 */
import type { Alert, Campaign } from '../formats/index.js';

/** A gateway should enforce within a fraction of a second of the alert. */
export const NOTIFY_FLUSH_MS = 200;
export const NOTIFY_BATCH = 500;
export const NOTIFY_ATTEMPTS = 3;
const UPDATES_PATH = '/_distillguard/v1/updates';

type Update = { kind: 'alert'; record: Alert } | { kind: 'campaign'; record: Campaign };

export interface NotifyStats {
  sent: number;
  dropped: number;
  failures: number;
}

export class GatewayNotifier {
  private queue: Update[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> = Promise.resolve();
  readonly stats: NotifyStats = { sent: 0, dropped: 0, failures: 0 };
  private readonly url: string;

  constructor(
    base: string,
    private readonly token: string,
    private readonly pauseMs: readonly number[] = [100, 500],
  ) {
    const u = new URL(base);
    if (!u.pathname.endsWith(UPDATES_PATH)) u.pathname = `${u.pathname.replace(/\/$/, '')}${UPDATES_PATH}`;
    this.url = u.toString();
  }

  alert(a: Alert): void {
    this.enqueue({ kind: 'alert', record: a });
  }

  campaigns(cs: readonly Campaign[]): void {
    for (const c of cs) this.enqueue({ kind: 'campaign', record: c });
  }

  private enqueue(u: Update): void {
    this.queue.push(u);
    if (this.queue.length >= NOTIFY_BATCH) this.flushSoon(0);
    else this.flushSoon(NOTIFY_FLUSH_MS);
  }

  private flushSoon(ms: number): void {
    if (this.timer !== null && ms > 0) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      const batch = this.queue;
      this.queue = [];
      this.inflight = this.inflight.then(() => this.send(batch));
    }, ms);
    this.timer.unref?.();
  }

  private async send(batch: Update[]): Promise<void> {
    if (batch.length === 0) return;
    const body = batch.map((u) => JSON.stringify(u)).join('\n');
    for (let attempt = 0; attempt < NOTIFY_ATTEMPTS; attempt++) {
      try {
        const res = await fetch(this.url, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/x-ndjson' },
          body,
        });
        await res.arrayBuffer();
        if (res.ok) {
          this.stats.sent += batch.length;
          return;
        }
        // A refusal (bad token, bad record) will not get better by retrying.
        if (res.status >= 400 && res.status < 500) break;
      } catch {
        // unreachable: retry after a pause
      }
      this.stats.failures++;
      const pause = this.pauseMs[Math.min(attempt, this.pauseMs.length - 1)] ?? 0;
      if (attempt < NOTIFY_ATTEMPTS - 1) await new Promise((r) => setTimeout(r, pause));
    }
    this.stats.dropped += batch.length;
  }

  /** Sends what is queued and waits for every send to finish. */
  async close(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.queue;
    this.queue = [];
    this.inflight = this.inflight.then(() => this.send(batch));
    await this.inflight;
  }
}
