/**
 * ROC curve points of a detector's scores and a hand-written SVG of recall against false-
 * positive rate (log-x axis), one polyline per detector. No plotting dependency: the figure is
 * a few dozen lines of SVG, and the same inputs give the same bytes.
 */

export interface RocPoint {
  fpr: number;
  tpr: number;
}

/** (FPR, TPR) after each distinct score, from the highest down (tied accounts flagged together). */
export function rocPoints(scored: readonly { score: number; positive: boolean }[]): RocPoint[] {
  const s = [...scored].sort((a, b) => b.score - a.score);
  const p = s.filter((x) => x.positive).length;
  const n = s.length - p;
  const out: RocPoint[] = [{ fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < s.length; ) {
    const score = s[i]!.score;
    while (i < s.length && s[i]!.score === score) {
      if (s[i]!.positive) tp++;
      else fp++;
      i++;
    }
    out.push({ fpr: n > 0 ? fp / n : 0, tpr: p > 0 ? tp / p : 0 });
  }
  return out;
}

export interface RocSeries {
  name: string;
  points: RocPoint[];
}

/** Left end of the log-x axis: FPR 1e-4 (0.01 %); an FPR of 0 is drawn on this edge. */
export const ROC_MIN_FPR = 1e-4;
const WIDTH = 720;
const HEIGHT = 480;
const MARGIN = { left: 64, right: 180, top: 40, bottom: 56 };
/** Colour-blind-safe palette (Okabe & Ito 2008). */
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const f1 = (x: number): string => x.toFixed(1);

export function rocSvg(title: string, series: readonly RocSeries[]): string {
  const pw = WIDTH - MARGIN.left - MARGIN.right;
  const ph = HEIGHT - MARGIN.top - MARGIN.bottom;
  const lo = Math.log10(ROC_MIN_FPR);
  const x = (fpr: number) => MARGIN.left + ((Math.log10(Math.max(fpr, ROC_MIN_FPR)) - lo) / -lo) * pw;
  const y = (tpr: number) => MARGIN.top + (1 - tpr) * ph;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  parts.push(`<text x="${MARGIN.left}" y="24" font-size="14">${esc(title)}</text>`);
  // Grid and ticks: decades on x, tenths on y.
  for (let e = lo; e <= 0; e++) {
    const gx = x(10 ** e);
    parts.push(
      `<line x1="${f1(gx)}" y1="${MARGIN.top}" x2="${f1(gx)}" y2="${MARGIN.top + ph}" stroke="#dddddd"/>`,
    );
    parts.push(`<text x="${f1(gx)}" y="${MARGIN.top + ph + 18}" text-anchor="middle">1e${e}</text>`);
  }
  for (let k = 0; k <= 10; k += 2) {
    const gy = y(k / 10);
    parts.push(
      `<line x1="${MARGIN.left}" y1="${f1(gy)}" x2="${MARGIN.left + pw}" y2="${f1(gy)}" stroke="#dddddd"/>`,
    );
    parts.push(
      `<text x="${MARGIN.left - 8}" y="${f1(gy + 4)}" text-anchor="end">${(k / 10).toFixed(1)}</text>`,
    );
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${pw}" height="${ph}" fill="none" stroke="#333333"/>`,
  );
  parts.push(
    `<text x="${MARGIN.left + pw / 2}" y="${HEIGHT - 16}" text-anchor="middle">false-positive rate over genuine accounts (log scale; 0 drawn at 1e-4)</text>`,
  );
  parts.push(
    `<text transform="translate(18 ${MARGIN.top + ph / 2}) rotate(-90)" text-anchor="middle">recall (attack accounts)</text>`,
  );
  series.forEach((s, k) => {
    const colour = COLOURS[k % COLOURS.length]!;
    // Step curve: recall rises at a fixed FPR, then FPR moves right at that recall.
    const pts: string[] = [];
    let prev: RocPoint | undefined;
    const add = (pt: string) => {
      // Thousands of accounts map onto a few hundred pixels: drop repeats.
      if (pts[pts.length - 1] !== pt) pts.push(pt);
    };
    for (const p of s.points) {
      if (prev !== undefined) add(`${f1(x(prev.fpr))},${f1(y(p.tpr))}`);
      add(`${f1(x(p.fpr))},${f1(y(p.tpr))}`);
      prev = p;
    }
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts.join(' ')}"/>`);
    const ly = MARGIN.top + 16 + k * 20;
    parts.push(
      `<line x1="${MARGIN.left + pw + 12}" y1="${ly}" x2="${MARGIN.left + pw + 36}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`,
    );
    parts.push(`<text x="${MARGIN.left + pw + 42}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
