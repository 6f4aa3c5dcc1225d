/**
 * Inline SVG charts for the HTML report. Geometry is computed here; colours of the chart
 * furniture come from the report's stylesheet (classes), so dark mode works. Data strings
 * (model names) only ever appear escaped inside <text> and <title>.
 */
import { CAPABILITIES } from '../formats/index.js';
import type { CapabilityShare, HistogramBin, Kind, Series } from './derive.js';
import { DAY_MS, dominantKind, fmtDay, fmtInt, fmtPct, LIMITS } from './derive.js';
import { h } from './escape.js';

/** One decimal is below a pixel's worth and keeps paths short. */
function r1(x: number): string {
  return String(Math.round(x * 10) / 10);
}

/** One colour per capability, in vocabulary order (Tableau 10 plus a grey for `other`). */
const CAPABILITY_COLOURS: readonly string[] = [
  '#4e79a7', // reasoning
  '#f28e2b', // coding
  '#59a14f', // tool_use
  '#76b7b2', // data_analysis
  '#edc948', // math
  '#b07aa1', // vision
  '#e15759', // grading
  '#ff9da7', // policy_rewrite
  '#9c755f', // creative
  '#bab0ac', // general_chat
  '#7f7f7f', // other
];
const UNKNOWN_COLOUR = '#d4d4d4';

export function capabilityColour(index: number): string {
  return CAPABILITY_COLOURS[index] ?? UNKNOWN_COLOUR;
}

/** A small square of a capability's colour, for the legend. */
export function swatch(index: number): string {
  return `<svg class="sw" width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="${capabilityColour(index)}"/></svg>`;
}

export function capabilityLegend(): string {
  return CAPABILITIES.map((c, i) => `<span class="lg">${swatch(i)} ${c}</span>`).join(' ');
}

/** The capability mix as one stacked bar (shares that add up to more than 1 are scaled down). */
export function capabilityBar(mix: readonly CapabilityShare[], width = 120, height = 12): string {
  const sum = mix.reduce((a, m) => a + m.share, 0);
  const scale = sum > 1 ? 1 / sum : 1;
  let x = 0;
  const parts: string[] = [];
  for (const m of mix) {
    const w = m.share * scale * width;
    parts.push(
      `<rect x="${r1(x)}" width="${r1(w)}" height="${height}" fill="${capabilityColour(m.index)}"><title>${h(m.name, LIMITS.idChars)} ${fmtPct(m.share)}</title></rect>`,
    );
    x += w;
  }
  const label = mix.map((m) => `${h(m.name, LIMITS.idChars)} ${fmtPct(m.share)}`).join(', ');
  return `<svg class="mix" width="${width}" height="${height}" role="img" aria-label="${label}"><rect class="track" width="${width}" height="${height}"/>${parts.join('')}</svg>`;
}

/** Verdict counts as one stacked horizontal bar. */
export function verdictBar(
  counts: Record<Kind, number>,
  kinds: readonly Kind[],
  width = 720,
  height = 18,
): string {
  const total = kinds.reduce((a, k) => a + Math.max(0, counts[k]), 0);
  if (total === 0) return '';
  let x = 0;
  const parts: string[] = [];
  for (const k of kinds) {
    const n = Math.max(0, counts[k]);
    if (n === 0) continue;
    const w = (n / total) * width;
    parts.push(
      `<rect class="v-${k}" x="${r1(x)}" width="${r1(w)}" height="${height}"><title>${k}: ${fmtInt(n)}</title></rect>`,
    );
    x += w;
  }
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="verdict counts">${parts.join('')}</svg>`;
}

const TL = { w: 720, h: 150, left: 48, right: 12, top: 22, bottom: 22 } as const;

/** Exchanges per day as bars (one path), with dashed markers at model releases. `label`
 * is plain text (escaped here). */
export function timelineChart(s: Series, label: string): string {
  const pw = TL.w - TL.left - TL.right;
  const ph = TL.h - TL.top - TL.bottom;
  const base = TL.top + ph;
  const n = s.values.length;
  const step = pw / n;
  const bw = Math.max(0.5, step > 3 ? step - 1 : step);
  let d = '';
  for (let i = 0; i < n; i++) {
    const v = s.values[i] ?? 0;
    if (v <= 0) continue;
    const bh = Math.max(1, (v / s.max) * ph);
    d += `M${r1(TL.left + i * step)} ${r1(base - bh)}h${r1(bw)}v${r1(bh)}h${r1(-bw)}z`;
  }
  const last = s.start + (s.days - 1) * DAY_MS;
  const out: string[] = [
    `<svg class="chart" viewBox="0 0 ${TL.w} ${TL.h}" width="${TL.w}" height="${TL.h}" role="img" aria-label="${h(label, LIMITS.textChars)}">`,
    `<line class="axis" x1="${TL.left}" y1="${base}" x2="${TL.w - TL.right}" y2="${base}"/>`,
    `<line class="grid" x1="${TL.left}" y1="${TL.top}" x2="${TL.w - TL.right}" y2="${TL.top}"/>`,
    `<text class="lbl" x="${TL.left - 4}" y="${TL.top + 4}" text-anchor="end">${fmtInt(s.max)}</text>`,
    `<text class="lbl" x="${TL.left - 4}" y="${base}" text-anchor="end">0</text>`,
    `<text class="lbl" x="${TL.left}" y="${TL.h - 6}">${fmtDay(s.start)}</text>`,
    `<text class="lbl" x="${TL.w - TL.right}" y="${TL.h - 6}" text-anchor="end">${fmtDay(last)}</text>`,
  ];
  if (s.binDays > 1) {
    out.push(
      `<text class="lbl" x="${TL.left + pw / 2}" y="${TL.h - 6}" text-anchor="middle">${s.binDays}-day bars</text>`,
    );
  }
  if (d !== '') out.push(`<path class="bar" d="${d}"/>`);
  s.releases.forEach((r, i) => {
    const x = r1(TL.left + r.at * pw);
    const anchor = r.at > 0.8 ? 'end' : 'start';
    const dx = r.at > 0.8 ? -3 : 3;
    const y = i % 2 === 0 ? TL.top - 12 : TL.top - 3;
    const name = h(r.model, 40);
    const when = new Date(r.ms).toISOString().slice(0, 16).replace('T', ' ');
    out.push(
      `<g class="rel"><title>${name} released ${when} UTC</title>` +
        `<line x1="${x}" y1="${TL.top - 10}" x2="${x}" y2="${base}"/>` +
        `<text x="${x}" dx="${dx}" y="${y + 8}" text-anchor="${anchor}">${name}</text></g>`,
    );
  });
  out.push('</svg>');
  return out.join('');
}

const HG = { w: 720, h: 220, left: 56, right: 12, top: 14, bottom: 30 } as const;

/** Score histogram with a log-scale count axis; each bar coloured by its commonest verdict. */
export function histogramChart(bins: readonly HistogramBin[], maxBin: number): string {
  const pw = HG.w - HG.left - HG.right;
  const ph = HG.h - HG.top - HG.bottom;
  const base = HG.top + ph;
  const top = Math.log10(1 + Math.max(1, maxBin));
  const y = (count: number) => base - (Math.log10(1 + count) / top) * ph;
  const out: string[] = [
    `<svg class="chart" viewBox="0 0 ${HG.w} ${HG.h}" width="${HG.w}" height="${HG.h}" role="img" aria-label="score histogram, log-scale counts">`,
  ];
  for (let t = 1; t <= Math.max(1, maxBin); t *= 10) {
    const ty = r1(y(t));
    out.push(
      `<line class="grid" x1="${HG.left}" y1="${ty}" x2="${HG.w - HG.right}" y2="${ty}"/>`,
      `<text class="lbl" x="${HG.left - 4}" y="${ty}" dy="4" text-anchor="end">${fmtInt(t)}</text>`,
    );
  }
  const step = pw / Math.max(1, bins.length);
  bins.forEach((b, i) => {
    const x = HG.left + i * step;
    const range = `${b.lo.toFixed(2)}–${b.hi.toFixed(2)}`;
    const split = (['block', 'throttle', 'watch', 'clear'] as const)
      .filter((k) => b.byKind[k] > 0)
      .map((k) => `${k} ${fmtInt(b.byKind[k])}`)
      .join(', ');
    if (b.total > 0) {
      const by = y(b.total);
      out.push(
        `<rect class="v-${dominantKind(b)}" x="${r1(x + 1)}" y="${r1(by)}" width="${r1(step - 2)}" height="${r1(base - by)}">` +
          `<title>score ${range}: ${fmtInt(b.total)} accounts (${split})</title></rect>`,
      );
    }
  });
  out.push(`<line class="axis" x1="${HG.left}" y1="${base}" x2="${HG.w - HG.right}" y2="${base}"/>`);
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    out.push(
      `<text class="lbl" x="${r1(HG.left + t * pw)}" y="${base + 16}" text-anchor="middle">${t.toFixed(2)}</text>`,
    );
  }
  out.push(
    `<text class="lbl" x="${HG.left + pw / 2}" y="${HG.h - 2}" text-anchor="middle">score</text>`,
    '</svg>',
  );
  return out.join('');
}
