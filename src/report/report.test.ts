import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AccountId, Campaign, CampaignId, Verdict } from '../formats/index.js';
import type { ReportInput } from './index.js';
import { renderHtml, renderMarkdown } from './index.js';

const EVIL = '<script>alert(1)</script>|x';
const EVIL_ATTR = '"><img src=x onerror=alert(2)>';

const aid = (s: string) => s as AccountId;
const cid = (s: string) => s as CampaignId;

function verdict(id: string, score: number, kind: Verdict['verdict'], campaign: string | null): Verdict {
  return {
    account_id: aid(id),
    score,
    verdict: kind,
    campaign_id: campaign === null ? null : cid(campaign),
    evidence: [
      {
        signal: 'template_reuse',
        value: score,
        baseline: 0.05,
        weight: 0.4,
        detail: `reuses a template (${id})`,
      },
      { signal: 'volume', value: 1200, baseline: null, weight: 0.2, detail: 'line one\n# not a heading' },
      { signal: 'third', value: 'x', baseline: 'y', weight: 0.1, detail: 'third evidence item' },
    ],
  };
}

function input(over: Partial<ReportInput> = {}): ReportInput {
  const members = Array.from({ length: 60 }, (_, i) => aid(`acct_${String(i).padStart(3, '0')}`));
  const campaigns: Campaign[] = [
    {
      campaign_id: cid('camp-alpha'),
      accounts: [aid(EVIL), ...members],
      exchanges: 15_000,
      output_tokens: 9_876_543,
      first_seen: '2026-01-03T08:00:00.000Z',
      last_seen: '2026-01-20T17:30:00.000Z',
      capabilities: { reasoning: 0.6, coding: 0.3, grading: 0.1 },
      indicators: {
        ip: Array.from({ length: 15 }, (_, i) => `10.0.0.${i}`),
        tls_fingerprint: [EVIL_ATTR],
      },
      evidence: [
        { signal: 'shared_subnet', value: 61, baseline: 1, weight: 0.5, detail: `61 accounts share ${EVIL}` },
        {
          signal: 'cot_elicitation',
          value: 0.9,
          baseline: 0.02,
          weight: 0.3,
          detail: 'asks for step-by-step reasoning',
        },
      ],
      score: 0.97,
    },
    {
      campaign_id: cid(`camp-${EVIL}`),
      accounts: [aid('b1'), aid('b2')],
      exchanges: 300,
      output_tokens: 4000,
      first_seen: '2026-01-10T00:00:00.000Z',
      last_seen: '2026-01-11T00:00:00.000Z',
      capabilities: { policy_rewrite: 1 },
      indicators: { payment_fingerprint: ['pf1'] },
      evidence: [],
      score: 0.7,
    },
  ];
  const verdicts: Verdict[] = [
    verdict(EVIL, 0.99, 'block', 'camp-alpha'),
    verdict('acct_000', 0.95, 'block', 'camp-alpha'),
    verdict('acct_001', 0.9, 'throttle', 'camp-alpha'),
    verdict('b1', 0.72, 'watch', `camp-${EVIL}`),
    verdict('b2', 0.7, 'watch', `camp-${EVIL}`),
    verdict('c1', 0.2, 'clear', null),
    verdict('c2', 0.1, 'clear', null),
    verdict('c3', 0.05, 'clear', null),
    verdict('c4', 0, 'clear', null),
    verdict('c5', 0.01, 'clear', null),
  ];
  return {
    generatedAt: '2026-02-01T12:00:00Z',
    source: 'data/dg.duckdb',
    command: 'distillguard hunt --db data/dg.duckdb --out report',
    period: { first: '2026-01-01T00:00:00Z', last: '2026-01-31T23:59:59Z' },
    counts: { exchanges: 1_234_567, accounts: 10, flagged: 5, campaigns: 2 },
    textMode: 'fingerprint',
    unavailableSignals: [{ signal: 'prompt_template', reason: 'no raw prompt text (fingerprints only)' }],
    thresholds: [
      { name: 'block_score', value: 0.9, reason: 'precision 0.99 on the demo scenario' },
      { name: 'min_campaign_accounts', value: 3, reason: 'two accounts share infrastructure by chance' },
    ],
    verdicts,
    campaigns,
    timelines: {
      'camp-alpha': [
        { day: '2026-01-03', exchanges: 100 },
        { day: '2026-01-04', exchanges: 5000 },
        { day: '2026-01-15', exchanges: 9900 },
      ],
      [`camp-${EVIL}`]: [{ day: '2026-01-10', exchanges: 300 }],
    },
    releases: [
      { model: 'model-next', released_at: '2026-01-14T16:00:00Z' },
      { model: 'model-old', released_at: '2025-06-01T00:00:00Z' },
    ],
    verdictCounts: { clear: 5, watch: 2, throttle: 1, block: 2 },
    timings: [
      { stage: 'ingest', seconds: 1.5 },
      { stage: 'score', seconds: 0.25 },
    ],
    ...over,
  };
}

/** Cells of a GFM table row: split on pipes with no backslash before them. */
function cells(line: string): number {
  return line.split(/(?<!\\)\|/).length - 2;
}

/** Every Markdown table as its lines. */
function tables(markdown: string): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  for (const line of markdown.split('\n')) {
    if (line.startsWith('|')) cur.push(line);
    else if (cur.length > 0) {
      out.push(cur);
      cur = [];
    }
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

describe('renderHtml', () => {
  const html = renderHtml(input());

  it('escapes every data string', () => {
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('onerror=alert(2)>');
    expect(html.match(/<script/g)).toHaveLength(1); // the table sorter, nothing from data
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;|x');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
  });

  it('loads nothing from outside and pins its inline style and script by hash', () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<(link|img|iframe|object|embed)\b/);
    expect(html).not.toMatch(/<[a-z][^>]*\s(src|action|data)=/i);
    expect(html).not.toMatch(/\shref="(?!#)/); // in-page anchors only
    expect(html).not.toMatch(/url\(|@import/);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    for (const tag of ['style', 'script']) {
      const body = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html)?.[1] ?? '';
      const hash = createHash('sha256').update(body, 'utf8').digest('base64');
      expect(csp).toContain(`'sha256-${hash}'`);
    }
  });

  it('shows the unavailable-signals box only when there are some', () => {
    expect(html).toContain('id="unavailable-signals"');
    expect(html).toContain('prompt_template');
    expect(renderHtml(input({ unavailableSignals: [] }))).not.toContain('unavailable-signals');
  });

  it('lists the campaigns, with a collapsible section each', () => {
    expect(html).toContain('camp-alpha');
    expect(html).toContain('camp-&lt;script&gt;');
    expect(html.match(/<details class="camp"/g)).toHaveLength(2);
    expect(html).toContain('href="#c-1"');
  });

  it('truncates members and indicators with "+N more"', () => {
    expect(html).toContain('Member accounts (61)');
    expect(html).toContain('+11 more'); // 61 members, 50 shown
    expect(html).toContain('+5 more'); // 15 IPs, 10 shown
    expect(html).toContain('10.0.0.9');
    expect(html).not.toContain('10.0.0.10');
  });

  it('draws the histogram, the timelines and release markers inside the period only', () => {
    expect(html).toContain('aria-label="score histogram, log-scale counts"');
    expect(html.match(/<g class="rel">/g)).toHaveLength(2); // model-next on both charts
    expect(html).toContain('model-next');
    expect(html).not.toContain('>model-old</text>');
  });

  it('shows thresholds, timings and verdict counts', () => {
    expect(html).toContain('block_score');
    expect(html).toContain('id="timings"');
    expect(html).toContain('<span class="badge b-block">block</span> 2');
  });
});

describe('renderMarkdown', () => {
  const markdown = renderMarkdown(input());

  it('escapes data: no raw HTML, no new blocks, no stray pipes', () => {
    expect(markdown).not.toMatch(/(?<!\\)<[a-z/!?]/i); // no tag a renderer would take as HTML
    expect(markdown).toContain('\\<script\\>alert(1)\\</script\\>\\|x');
    expect(markdown.split('\n').some((l) => l.startsWith('# not a heading'))).toBe(false);
  });

  it('keeps every table row to the header column count', () => {
    const all = tables(markdown);
    expect(all.length).toBeGreaterThanOrEqual(6);
    for (const t of all) {
      const n = cells(t[0] ?? '');
      for (const row of t) expect(cells(row), row).toBe(n);
    }
    const header = (first: string) => all.find((t) => t[0]?.startsWith(first))?.[0] ?? '';
    expect(cells(header('| # | campaign |'))).toBe(10);
    expect(cells(header('| # | account |'))).toBe(6);
    expect(cells(header('| signal |'))).toBe(5);
    expect(cells(header('| score | accounts |'))).toBe(3);
    expect(cells(header('| name | value |'))).toBe(3);
  });

  it('has a 20-bin histogram over all verdicts', () => {
    const hist = tables(markdown).find((t) => t[0]?.startsWith('| score | accounts |')) ?? [];
    expect(hist).toHaveLength(22);
    expect(markdown).toContain('All 10 scored accounts');
  });

  it('shows the unavailable signals only when there are some', () => {
    expect(markdown).toContain('Signals unavailable (1)');
    expect(renderMarkdown(input({ unavailableSignals: [] }))).not.toContain('Signals unavailable');
  });

  it('lists campaigns, truncates with "+N more", and marks releases on the timeline', () => {
    expect(markdown).toContain('### 1. camp-alpha');
    expect(markdown).toContain('+11 more');
    expect(markdown).toContain('+5 more');
    expect(markdown).toContain('reasoning 60%');
    expect(markdown).toContain('^ model releases: model-next (2026-01-14)');
    expect(markdown).not.toContain('model-old (');
    expect(markdown).toContain('Model releases in the period: model-next (2026-01-14).');
  });
});

describe('both formats', () => {
  it('are deterministic and leave the input alone', () => {
    const a = input();
    const before = structuredClone(a);
    expect(renderHtml(a)).toBe(renderHtml(input()));
    expect(renderMarkdown(a)).toBe(renderMarkdown(input()));
    expect(a).toEqual(before);
  });

  it('render with no campaigns, no verdicts, no period and no timings', () => {
    const { timings: _omitted, ...empty } = input({
      campaigns: [],
      verdicts: [],
      timelines: {},
      period: null,
      counts: { exchanges: 0, accounts: 0, flagged: 0, campaigns: 0 },
      verdictCounts: { clear: 0, watch: 0, throttle: 0, block: 0 },
    });
    expect(renderHtml(empty)).toContain('No campaigns detected.');
    expect(renderMarkdown(empty)).toContain('No account flagged.');
    expect(renderHtml(empty)).not.toContain('id="timings"');
  });

  it('stay small and quick at 200k verdicts and 500 campaigns', () => {
    const verdicts: Verdict[] = [];
    for (let i = 0; i < 200_000; i++) {
      const score = ((i * 7919) % 10_000) / 10_000;
      const kind = score > 0.95 ? 'block' : score > 0.9 ? 'throttle' : score > 0.8 ? 'watch' : 'clear';
      verdicts.push(verdict(`acct-${i}`, score, kind, kind === 'clear' ? null : `camp-${i % 500}`));
    }
    const timelines: ReportInput['timelines'] = {};
    const campaigns: Campaign[] = [];
    for (let c = 0; c < 500; c++) {
      const id = `camp-${c}`;
      timelines[id] = Array.from({ length: 90 }, (_, d) => ({
        day: new Date(Date.UTC(2026, 0, 1) + d * 86_400_000).toISOString().slice(0, 10),
        exchanges: 100 + ((c * d) % 400),
      }));
      campaigns.push({
        campaign_id: cid(id),
        accounts: Array.from({ length: 400 }, (_, i) => aid(`acct-${c * 400 + i}`)),
        exchanges: 36_000,
        output_tokens: 20_000_000,
        first_seen: '2026-01-01T00:00:00.000Z',
        last_seen: '2026-03-31T00:00:00.000Z',
        capabilities: { reasoning: 0.5, coding: 0.3, tool_use: 0.2 },
        indicators: { ip: Array.from({ length: 40 }, (_, i) => `10.${c % 256}.0.${i}`), asn: ['AS64500'] },
        evidence: verdict('x', 0.9, 'block', null).evidence,
        score: 1 - c / 1000,
      });
    }
    const big = input({
      verdicts,
      campaigns,
      timelines,
      period: { first: '2026-01-01T00:00:00Z', last: '2026-03-31T23:59:59Z' },
    });
    const t0 = performance.now();
    const html = renderHtml(big);
    const markdown = renderMarkdown(big);
    const seconds = (performance.now() - t0) / 1000;
    expect(seconds).toBeLessThan(10);
    expect(Buffer.byteLength(html)).toBeLessThan(5_000_000);
    expect(Buffer.byteLength(markdown)).toBeLessThan(2_000_000);
    expect(html).toContain('All 200,000 scored accounts');
    expect(html).toContain('+400 more campaigns not detailed here');
    expect(html.match(/<tbody>/g)?.length).toBeGreaterThan(2);
    expect(markdown).toContain('Top 200 of ');
  });
});
