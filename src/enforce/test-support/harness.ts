/** A gateway in front of the mock upstream, with a sink that keeps the captured records. */
import type { ExchangeRecord, ExchangeSink, SinkStats } from '../capture.js';
import { Enforcer, type EnforcerOptions } from '../enforcer.js';
import { type MockUpstream, startMockUpstream } from '../mock-upstream.js';
import { type RunningGateway, startGateway } from '../proxy.js';
import { until } from './state-contract.js';

export class MemorySink implements ExchangeSink {
  readonly name = 'memory';
  readonly records: ExchangeRecord[] = [];
  write(records: readonly ExchangeRecord[]): void {
    this.records.push(...records);
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
  stats(): SinkStats {
    return { written: this.records.length, dropped: 0 };
  }
  /** Waits for `n` records (capture is asynchronous by design). */
  async wait(n: number): Promise<ExchangeRecord[]> {
    await until(() => this.records.length >= n);
    return this.records;
  }
}

export interface Harness {
  upstream: MockUpstream;
  gw: RunningGateway;
  enforcer: Enforcer;
  sink: MemorySink;
  close(): Promise<void>;
}

export async function startHarness(
  opts: EnforcerOptions = {},
  proxy: { adminToken?: string; upstream?: MockUpstream } = {},
): Promise<Harness> {
  const upstream = proxy.upstream ?? (await startMockUpstream());
  const sink = new MemorySink();
  const enforcer = await Enforcer.create({ text: 'raw', ...opts, sinks: [sink] });
  const gw = await startGateway({
    upstream: upstream.url,
    enforcer,
    ...(proxy.adminToken !== undefined ? { adminToken: proxy.adminToken } : {}),
  });
  return {
    upstream,
    gw,
    enforcer,
    sink,
    async close() {
      await gw.close();
      if (proxy.upstream === undefined) await upstream.close();
    },
  };
}
