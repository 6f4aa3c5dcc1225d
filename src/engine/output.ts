/**
 * Writes a hunt's results: verdicts.jsonl, campaigns.jsonl, exchange_verdicts.jsonl (only
 * when multi-user accounts were judged exchange by exchange), report.md and report.html.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JsonlWriter, toRfc3339 } from '../formats/index.js';
import { type ReportInput, renderHtml, renderMarkdown } from '../report/index.js';
import type { FeatureSource } from '../store/index.js';
import type { HuntResult } from './hunt.js';

export interface HuntFiles {
  verdicts: string;
  campaigns: string;
  exchangeVerdicts: string | null;
  reportMd: string;
  reportHtml: string;
}

async function writeLines(path: string, items: Iterable<unknown>): Promise<void> {
  const w = new JsonlWriter(path);
  for (const x of items) if (!w.write(x as object)) await w.drain();
  await w.close();
}

export async function writeHuntOutputs(
  result: HuntResult,
  source: FeatureSource,
  out: string,
  meta: { source: string; command: string; generatedAt: string },
): Promise<HuntFiles> {
  await mkdir(out, { recursive: true });
  const files: HuntFiles = {
    verdicts: join(out, 'verdicts.jsonl'),
    campaigns: join(out, 'campaigns.jsonl'),
    exchangeVerdicts: result.resellers.units.length > 0 ? join(out, 'exchange_verdicts.jsonl') : null,
    reportMd: join(out, 'report.md'),
    reportHtml: join(out, 'report.html'),
  };
  await writeLines(files.verdicts, result.verdicts);
  await writeLines(files.campaigns, result.campaigns);
  if (files.exchangeVerdicts !== null) await writeLines(files.exchangeVerdicts, result.resellers.units);
  // A file left by an earlier run into the same directory would be read as this run's.
  else await rm(join(out, 'exchange_verdicts.jsonl'), { force: true });
  const report = await reportInput(result, source, meta);
  await writeFile(files.reportMd, renderMarkdown(report));
  await writeFile(files.reportHtml, renderHtml(report));
  return files;
}

export async function reportInput(
  r: HuntResult,
  source: FeatureSource,
  meta: { source: string; command: string; generatedAt: string },
): Promise<ReportInput> {
  const members = new Map<string, string>();
  for (const c of r.campaigns) for (const a of c.accounts) members.set(a, c.campaign_id);
  const daily = await source.daily([...members.keys()].sort());
  const perCampaign = new Map<string, Map<string, number>>();
  for (const d of daily) {
    const c = members.get(d.account_id);
    if (c === undefined) continue;
    const m = perCampaign.get(c) ?? new Map<string, number>();
    m.set(d.day, (m.get(d.day) ?? 0) + d.exchanges);
    perCampaign.set(c, m);
  }
  const timelines: ReportInput['timelines'] = {};
  for (const [c, m] of perCampaign)
    timelines[c] = [...m.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([day, exchanges]) => ({ day, exchanges }));
  const verdictCounts = { clear: 0, watch: 0, throttle: 0, block: 0 };
  for (const v of r.verdicts) verdictCounts[v.verdict]++;
  return {
    generatedAt: meta.generatedAt,
    source: meta.source,
    command: meta.command,
    period: r.period === null ? null : { first: toRfc3339(r.period.first), last: toRfc3339(r.period.last) },
    counts: {
      exchanges: r.exchanges,
      accounts: r.verdicts.length,
      flagged: r.verdicts.length - verdictCounts.clear,
      campaigns: r.campaigns.length,
    },
    textMode: r.textMode,
    unavailableSignals: r.unavailable,
    thresholds: r.thresholds,
    verdicts: r.verdicts,
    campaigns: r.campaigns,
    timelines,
    releases: r.releases.map((x) => ({ model: x.model, released_at: toRfc3339(x.released_at) })),
    verdictCounts,
    timings: r.timings,
  };
}
