/**
 * `report.md`: the same content as the HTML report in GitHub-flavoured Markdown, for a
 * terminal, a ticket or a pull request. Every data string goes through `md`/`mdCode`.
 */
import type { Campaign, Evidence, Verdict } from '../formats/index.js';
import type { Series, VerdictScan } from './derive.js';
import {
  buildSeries,
  capabilityMix,
  fmtDay,
  fmtExact,
  fmtInt,
  fmtNum,
  fmtPct,
  fmtScore,
  fmtSeconds,
  fmtTime,
  fmtValue,
  head,
  LIMITS,
  parseReleases,
  type Release,
  releasesInPeriod,
  scanVerdicts,
  summaryText,
  timelineOf,
  VERDICT_KINDS,
} from './derive.js';
import { md, mdCode, mdLead } from './escape.js';
import type { ReportInput } from './types.js';

type Align = 'l' | 'r';

function table(
  headers: readonly string[],
  align: readonly Align[],
  rows: readonly (readonly string[])[],
): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => (c === '' ? '—' : c)).join(' | ')} |`;
  const rule = `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

function time(s: string): string {
  return fmtTime(s) ?? md(s, LIMITS.idChars);
}

function more(n: number, what = 'more'): string {
  return n > 0 ? ` (+${fmtInt(n)} ${what})` : '';
}

function evidenceBrief(ev: readonly Evidence[], limit: number): string {
  return ev
    .slice(0, limit)
    .map((e) => `${mdCode(e.signal, LIMITS.idChars)} ${md(e.detail, LIMITS.textChars)}`)
    .join(' · ');
}

const SPARKS = '▁▂▃▄▅▆▇█';

function sparkline(s: Series): string[] {
  const bars = s.values
    .map((v) => (v <= 0 ? '·' : SPARKS[Math.min(7, Math.max(0, Math.ceil((v / s.max) * 8) - 1))]))
    .join('');
  const lines = [bars];
  if (s.releases.length > 0) {
    const marks = new Array<string>(s.values.length).fill(' ');
    for (const r of s.releases)
      marks[Math.min(s.values.length - 1, Math.floor(r.at * s.values.length))] = '^';
    lines.push(marks.join('').trimEnd());
  }
  return lines;
}

function campaignSection(
  input: ReportInput,
  c: Campaign,
  rank: number,
  releases: readonly Release[],
): string {
  const out: string[] = [];
  out.push(`### ${rank}. ${md(c.campaign_id, LIMITS.idChars)}`, '');
  out.push(
    `Score **${fmtScore(c.score)}** · ${fmtInt(c.accounts.length)} accounts · ${fmtInt(c.exchanges)} exchanges · ` +
      `${fmtInt(c.output_tokens)} output tokens · ${time(c.first_seen)} → ${time(c.last_seen)} UTC`,
    '',
  );

  const timeline = timelineOf(input, c.campaign_id);
  const s = buildSeries(input.period, timeline, releases, LIMITS.sparkline);
  if (s === null) {
    out.push('**Timeline:** no daily counts.', '');
  } else {
    const unit = s.binDays === 1 ? 'per day' : `per ${s.binDays} days`;
    const peak = Math.max(...s.values);
    out.push(
      `**Timeline** (exchanges ${unit}, ${fmtDay(s.start)} → ${fmtDay(s.start + (s.days - 1) * 86_400_000)}, peak ${fmtInt(peak)}):`,
      '',
      '```text',
      ...sparkline(s),
      '```',
      '',
    );
    if (s.releases.length > 0) {
      const rel = s.releases.map((r) => `${md(r.model, 60)} (${fmtDay(r.ms)})`).join(', ');
      out.push(`^ model releases: ${rel}`, '');
    }
  }

  const mix = capabilityMix(c);
  if (mix.length > 0) {
    out.push(
      `**Capabilities:** ${mix.map((m) => `${mdCode(m.name, LIMITS.idChars)} ${fmtPct(m.share)}`).join(', ')}`,
      '',
    );
  }

  const kinds = Object.entries(c.indicators);
  if (kinds.length > 0) {
    out.push('**Shared indicators**', '');
    for (const [kind, values] of kinds) {
      const { shown, more: n } = head(values, LIMITS.indicatorValues);
      out.push(
        `- ${mdLead(mdCode(kind, LIMITS.idChars))}: ${shown.map((v) => md(v, LIMITS.idChars)).join(', ')}${more(n)}`,
      );
    }
    out.push('');
  }

  if (c.evidence.length > 0) {
    const { shown, more: n } = head(c.evidence, LIMITS.evidence);
    out.push(
      '**Evidence**',
      '',
      table(
        ['signal', 'value', 'baseline', 'weight', 'detail'],
        ['l', 'r', 'r', 'r', 'l'],
        shown.map((e) => [
          mdCode(e.signal, LIMITS.idChars),
          md(fmtValue(e.value), LIMITS.idChars),
          md(fmtValue(e.baseline), LIMITS.idChars),
          fmtNum(e.weight),
          md(e.detail, LIMITS.textChars),
        ]),
      ),
      '',
    );
    if (n > 0) out.push(`+${fmtInt(n)} more evidence items`, '');
  }

  const members = head(c.accounts, LIMITS.members);
  out.push(
    `**Members (${fmtInt(c.accounts.length)}):** ${members.shown.map((a) => md(a, LIMITS.idChars)).join(', ')}${more(members.more)}`,
    '',
  );
  return out.join('\n');
}

function flaggedTable(scan: VerdictScan): string {
  const rows = scan.topFlagged.map((v: Verdict, i) => [
    String(i + 1),
    md(v.account_id, LIMITS.idChars),
    v.verdict,
    fmtScore(v.score),
    v.campaign_id === null ? '' : md(v.campaign_id, LIMITS.idChars),
    evidenceBrief(v.evidence, LIMITS.accountRowEvidence),
  ]);
  return table(
    ['#', 'account', 'verdict', 'score', 'campaign', 'top evidence'],
    ['r', 'l', 'l', 'r', 'l', 'l'],
    rows,
  );
}

function histogramTable(scan: VerdictScan): string {
  const top = Math.log10(1 + Math.max(1, scan.maxBin));
  const width = 30;
  const rows = scan.bins.map((b) => [
    `${b.lo.toFixed(2)}–${b.hi.toFixed(2)}`,
    fmtInt(b.total),
    b.total === 0 ? ' ' : '█'.repeat(Math.max(1, Math.round((Math.log10(1 + b.total) / top) * width))),
  ]);
  return table(['score', 'accounts', 'log scale'], ['l', 'r', 'l'], rows);
}

export function renderMarkdown(input: ReportInput): string {
  const scan = scanVerdicts(input.verdicts);
  const releases = parseReleases(input.releases);
  const out: string[] = [];
  const generated = fmtTime(input.generatedAt);

  out.push('# distillguard hunt report', '');
  out.push(
    `Generated ${generated === null ? md(input.generatedAt, LIMITS.idChars) : `${generated} UTC`} from ${mdCode(input.source, LIMITS.textChars)} by ${mdCode(input.command, 400)}.`,
    '',
  );
  out.push(
    summaryText(
      input,
      (s) => md(s, LIMITS.idChars),
      (s) => `**${s}**`,
    ),
    '',
  );

  const inPeriod = head(releasesInPeriod(input.period, releases), LIMITS.releases);
  if (inPeriod.shown.length > 0) {
    const list = inPeriod.shown.map((r) => `${md(r.model, 60)} (${fmtDay(r.ms)})`).join(', ');
    out.push(`Model releases in the period: ${list}${more(inPeriod.more)}.`, '');
  }

  if (input.unavailableSignals.length > 0) {
    out.push(
      `> **⚠ Signals unavailable (${input.unavailableSignals.length}).** These signals could not be computed in this run; verdicts rest on the others.`,
      '>',
    );
    for (const u of input.unavailableSignals) {
      out.push(`> - ${mdLead(mdCode(u.signal, LIMITS.idChars))}: ${md(u.reason, LIMITS.textChars)}`);
    }
    out.push('');
  }

  // Verdicts
  const vc = input.verdictCounts;
  const total = VERDICT_KINDS.reduce((a, k) => a + vc[k], 0);
  out.push(
    '## Verdicts',
    '',
    table(
      ['verdict', 'accounts', 'share'],
      ['l', 'r', 'r'],
      [...VERDICT_KINDS].reverse().map((k) => [k, fmtInt(vc[k]), total > 0 ? fmtPct(vc[k] / total) : '']),
    ),
    '',
  );

  // Campaigns
  out.push('## Campaigns', '');
  if (input.campaigns.length === 0) {
    out.push('No campaigns detected.', '');
  } else {
    const { shown, more: n } = head(input.campaigns, LIMITS.campaignRows);
    out.push(
      table(
        [
          '#',
          'campaign',
          'score',
          'accounts',
          'exchanges',
          'output tokens',
          'first seen (UTC)',
          'last seen (UTC)',
          'capabilities',
          'top evidence',
        ],
        ['r', 'l', 'r', 'r', 'r', 'r', 'l', 'l', 'l', 'l'],
        shown.map((c, i) => [
          String(i + 1),
          md(c.campaign_id, LIMITS.idChars),
          fmtScore(c.score),
          fmtInt(c.accounts.length),
          fmtInt(c.exchanges),
          fmtInt(c.output_tokens),
          time(c.first_seen),
          time(c.last_seen),
          capabilityMix(c)
            .map((m) => `${md(m.name, LIMITS.idChars)} ${fmtPct(m.share)}`)
            .join(', '),
          evidenceBrief(c.evidence, LIMITS.campaignRowEvidence),
        ]),
      ),
      '',
    );
    if (n > 0) out.push(`+${fmtInt(n)} more campaigns (see campaigns.jsonl).`, '');

    const sections = head(input.campaigns, LIMITS.campaignSections);
    for (const [i, c] of sections.shown.entries()) out.push(campaignSection(input, c, i + 1, releases));
    if (sections.more > 0) {
      out.push(`+${fmtInt(sections.more)} more campaigns not detailed here (see campaigns.jsonl).`, '');
    }
  }

  // Flagged accounts
  out.push('## Flagged accounts', '');
  if (scan.topFlagged.length === 0) {
    out.push('No account flagged.', '');
  } else {
    out.push(
      `Top ${fmtInt(scan.topFlagged.length)} of ${fmtInt(scan.flaggedTotal)} flagged accounts, by score.`,
      '',
      flaggedTable(scan),
      '',
    );
    if (scan.flaggedTotal > scan.topFlagged.length) {
      out.push(
        `+${fmtInt(scan.flaggedTotal - scan.topFlagged.length)} more flagged accounts (see verdicts.jsonl).`,
        '',
      );
    }
  }

  // Score distribution
  out.push(
    '## Score distribution',
    '',
    `All ${fmtInt(scan.scored)} scored accounts in bins of ${fmtNum(1 / LIMITS.histogramBins)}; bar length is log-scale.`,
    '',
    histogramTable(scan),
    '',
  );

  // Thresholds
  out.push('## Thresholds', '');
  if (input.thresholds.length === 0) out.push('None reported.', '');
  else {
    out.push(
      table(
        ['name', 'value', 'reason'],
        ['l', 'r', 'l'],
        input.thresholds.map((t) => [mdCode(t.name, LIMITS.idChars), fmtExact(t.value), md(t.reason, 400)]),
      ),
      '',
    );
  }

  if (input.timings !== undefined && input.timings.length > 0) {
    const sum = input.timings.reduce((a, t) => a + (Number.isFinite(t.seconds) ? t.seconds : 0), 0);
    out.push(
      '## Timings',
      '',
      table(
        ['stage', 'seconds'],
        ['l', 'r'],
        [
          ...input.timings.map((t) => [md(t.stage, LIMITS.idChars), fmtSeconds(t.seconds)]),
          ['**total**', fmtSeconds(sum)],
        ],
      ),
      '',
    );
  }

  return `${out.join('\n').trimEnd()}\n`;
}
