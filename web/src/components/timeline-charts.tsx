/**
 * Exchanges per day stacked by model with release markers (pivots show as a colour change right
 * after a release), and a heatmap of the largest accounts' days (synchronised starts and stops).
 * Drawn on a canvas by hand rather than by ECharts: these two charts are part of what a campaign
 * page shows before it is usable, and ECharts cost ~0.2 s to load and compile plus 0.15 s (bars)
 * and 0.3–0.45 s (a 60 × 42 heatmap) to draw, against a few ms here. Hovering shows the values.
 */
import { type MouseEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Timeline } from '../../../src/server/api-types.js';
import { compact, day, int } from '../format.js';

const MODEL_COLORS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const AXIS = '#6b7785';
const GRID = '#e6eaef';

interface Tip {
  x: number;
  y: number;
  lines: string[];
}
type Draw = (ctx: CanvasRenderingContext2D, width: number, height: number) => void;
type Hit = (x: number, y: number, width: number, height: number) => string[] | null;

/** A canvas as wide as its box, drawn again when the box or the drawing changes; a tooltip on hover. */
function CanvasChart({
  height,
  label,
  draw,
  hit,
  onDrawn,
}: {
  height: number;
  label: string;
  draw: Draw;
  hit: Hit;
  onDrawn?: () => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [tip, setTip] = useState<Tip | null>(null);
  const latest = useRef({ width: 0, draw, hit, onDrawn });
  latest.current = { ...latest.current, draw, hit, onDrawn };
  const paint = useCallback(() => {
    const c = canvas.current;
    const { width } = latest.current;
    if (c === null || width <= 0) return;
    const ratio = window.devicePixelRatio || 1;
    c.width = Math.round(width * ratio);
    c.height = Math.round(height * ratio);
    const ctx = c.getContext('2d');
    if (ctx === null) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    latest.current.draw(ctx, width, height);
    latest.current.onDrawn?.();
  }, [height]);
  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const ro = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (w === latest.current.width) return;
      latest.current.width = w;
      paint();
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [paint]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new drawing is painted again
  useEffect(() => paint(), [draw, paint]);
  const move = (e: MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const x = e.clientX - r.left;
    const y = e.clientY - r.top;
    const lines = latest.current.hit(x, y, r.width, r.height);
    setTip(lines === null ? null : { x: Math.min(x + 12, r.width - 180), y: y + 12, lines });
  };
  return (
    <div ref={box} className="tchart" style={{ height }}>
      <canvas
        ref={canvas}
        style={{ width: '100%', height }}
        role="img"
        aria-label={label}
        onMouseMove={move}
        onMouseLeave={() => setTip(null)}
      />
      {tip !== null && (
        <div className="ttip" style={{ left: Math.max(0, tip.x), top: tip.y }}>
          {tip.lines.map((l, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: lines of one tooltip, in order
            <div key={i}>{l}</div>
          ))}
        </div>
      )}
    </div>
  );
}

/** A round axis maximum and its step (1, 2 or 5 × 10^k), about `ticks` steps. */
function niceScale(max: number, ticks = 4): { top: number; step: number } {
  if (max <= 0) return { top: 1, step: 1 };
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  return { top: Math.ceil(max / step) * step, step };
}

/** Every k-th category label so that labels of `px` pixels do not overlap. */
const labelEvery = (n: number, width: number, px: number) =>
  Math.max(1, Math.ceil((n * px) / Math.max(1, width)));

function text(
  ctx: CanvasRenderingContext2D,
  s: string,
  x: number,
  y: number,
  align: CanvasTextAlign,
  size = 11,
) {
  ctx.font = `${size}px ${FONT}`;
  ctx.textAlign = align;
  ctx.textBaseline = 'middle';
  ctx.fillText(s, x, y);
}

function drawDays(
  ctx: CanvasRenderingContext2D,
  days: readonly string[],
  left: number,
  band: number,
  y: number,
  width: number,
) {
  ctx.fillStyle = AXIS;
  const every = labelEvery(days.length, width, 78);
  days.forEach((d, i) => {
    if (i % every === 0) text(ctx, d.slice(0, 10), left + (i + 0.5) * band, y, 'center');
  });
}

function modelBars(t: Timeline): { draw: Draw; hit: Hit } {
  const models = Object.keys(t.models).sort();
  const n = t.days.length;
  const totals = t.days.map((_, i) => models.reduce((s, m) => s + (t.models[m]?.[i] ?? 0), 0));
  const { top, step } = niceScale(Math.max(0, ...totals));
  const box = { left: 60, right: 10, top: 40, bottom: 30 };
  const releases = t.releases
    .map((r) => ({ name: `${r.model} released`, i: t.days.indexOf(day(r.released_at)) }))
    .filter((r) => r.i >= 0);
  const draw: Draw = (ctx, width, height) => {
    const w = width - box.left - box.right;
    const h = height - box.top - box.bottom;
    const band = w / Math.max(1, n);
    // Legend.
    let lx = box.left;
    models.forEach((m, k) => {
      ctx.fillStyle = MODEL_COLORS[k % MODEL_COLORS.length] ?? '#888';
      ctx.fillRect(lx, 10, 12, 10);
      ctx.fillStyle = '#1d2733';
      text(ctx, m, lx + 16, 15, 'left', 12);
      lx += 28 + ctx.measureText(m).width;
    });
    // Grid and values.
    ctx.strokeStyle = GRID;
    ctx.lineWidth = 1;
    for (let v = 0; v <= top; v += step) {
      const y = Math.round(box.top + h - (v / top) * h) + 0.5;
      ctx.beginPath();
      ctx.moveTo(box.left, y);
      ctx.lineTo(box.left + w, y);
      ctx.stroke();
      ctx.fillStyle = AXIS;
      text(ctx, compact(v), box.left - 6, y, 'right');
    }
    // Bars, stacked by model.
    const bw = Math.max(1, band * 0.7);
    for (let i = 0; i < n; i++) {
      let y = box.top + h;
      models.forEach((m, k) => {
        const v = t.models[m]?.[i] ?? 0;
        if (v <= 0) return;
        const bh = (v / top) * h;
        ctx.fillStyle = MODEL_COLORS[k % MODEL_COLORS.length] ?? '#888';
        ctx.fillRect(box.left + i * band + (band - bw) / 2, y - bh, bw, bh);
        y -= bh;
      });
    }
    drawDays(ctx, t.days, box.left, band, box.top + h + 14, w);
    // Releases: a dashed line on the day, named at the top.
    ctx.strokeStyle = '#333';
    ctx.setLineDash([4, 3]);
    for (const r of releases) {
      const x = Math.round(box.left + (r.i + 0.5) * band) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, box.top - 4);
      ctx.lineTo(x, box.top + h);
      ctx.stroke();
      ctx.fillStyle = '#333';
      text(ctx, r.name, x, box.top - 10, x > box.left + w - 80 ? 'right' : 'center', 10);
    }
    ctx.setLineDash([]);
  };
  const hit: Hit = (x, y, width, height) => {
    const w = width - box.left - box.right;
    const i = Math.floor(((x - box.left) / w) * n);
    if (i < 0 || i >= n || y < box.top || y > height - box.bottom) return null;
    return [
      `${t.days[i] ?? ''}: ${int(totals[i])} exchanges`,
      ...models.map((m) => `${m}: ${int(t.models[m]?.[i] ?? 0)}`),
      ...releases.filter((r) => r.i === i).map((r) => r.name),
    ];
  };
  return { draw, hit };
}

function dayHeatmap(t: Timeline): { draw: Draw; hit: Hit } {
  const rows = t.accounts.length;
  const n = t.days.length;
  let max = 1;
  for (const a of t.accounts) for (const v of a.counts) max = Math.max(max, v);
  const box = { left: 170, right: 20, top: 10, bottom: 60 };
  const lo = [0xee, 0xf3, 0xf8];
  const hi = [0x1f, 0x4e, 0x79];
  const colour = (f: number) =>
    `rgb(${lo.map((c, k) => Math.round(c + ((hi[k] ?? c) - c) * Math.min(1, Math.max(0, f)))).join(',')})`;
  // 64 shades, computed once (a colour string per cell costs more than the cell).
  const shades = Array.from({ length: 65 }, (_, k) => colour(k / 64));
  const draw: Draw = (ctx, width, height) => {
    const w = width - box.left - box.right;
    const h = height - box.top - box.bottom;
    const cw = w / Math.max(1, n);
    const ch = h / Math.max(1, rows);
    // Alternate day columns, as a guide for the eye.
    for (let i = 0; i < n; i += 2) {
      ctx.fillStyle = '#f7f9fb';
      ctx.fillRect(box.left + i * cw, box.top, cw, h);
    }
    t.accounts.forEach((a, r) => {
      a.counts.forEach((v, i) => {
        if (v <= 0) return;
        ctx.fillStyle = shades[Math.round((v / max) * 64)] ?? '#1f4e79';
        ctx.fillRect(box.left + i * cw, box.top + r * ch, Math.ceil(cw), Math.ceil(ch));
      });
      if (ch >= 7) {
        ctx.fillStyle = AXIS;
        text(
          ctx,
          a.account_id,
          box.left - 6,
          box.top + (r + 0.5) * ch,
          'right',
          Math.min(11, Math.floor(ch) - 1),
        );
      }
    });
    drawDays(ctx, t.days, box.left, cw, box.top + h + 12, w);
    // Colour scale.
    const sx = box.left + w / 2 - 60;
    const sy = height - 22;
    const grad = ctx.createLinearGradient(sx, 0, sx + 120, 0);
    grad.addColorStop(0, colour(0));
    grad.addColorStop(1, colour(1));
    ctx.fillStyle = grad;
    ctx.fillRect(sx, sy, 120, 10);
    ctx.fillStyle = AXIS;
    text(ctx, '0', sx - 6, sy + 5, 'right');
    text(ctx, `${int(max)} exchanges a day`, sx + 126, sy + 5, 'left');
  };
  const hit: Hit = (x, y, width, height) => {
    const w = width - box.left - box.right;
    const h = height - box.top - box.bottom;
    const i = Math.floor(((x - box.left) / w) * n);
    const r = Math.floor(((y - box.top) / h) * rows);
    const a = t.accounts[r];
    if (i < 0 || i >= n || a === undefined) return null;
    return [a.account_id, `${t.days[i] ?? ''}: ${int(a.counts[i] ?? 0)} exchanges`];
  };
  return { draw, hit };
}

export function TimelineCharts({
  t,
  heatmap,
  onDrawn,
}: {
  t: Timeline;
  heatmap: boolean;
  /** Called once every chart of this timeline has been drawn. */
  onDrawn?: () => void;
}) {
  const bars = useMemo(() => modelBars(t), [t]);
  const heat = useMemo(() => dayHeatmap(t), [t]);
  const showHeat = heatmap && t.accounts.length > 1;
  // Which charts of this timeline are drawn (a new timeline starts afresh).
  const drawn = useRef({ t, charts: new Set<string>() });
  if (drawn.current.t !== t) drawn.current = { t, charts: new Set() };
  const done = useRef(onDrawn);
  done.current = onDrawn;
  const charts = showHeat ? 2 : 1;
  const mark = useCallback(
    (which: string) => {
      drawn.current.charts.add(which);
      if (drawn.current.charts.size === charts) done.current?.();
    },
    [charts],
  );
  const onBars = useCallback(() => mark('bars'), [mark]);
  const onHeat = useCallback(() => mark('heat'), [mark]);
  return (
    <>
      <CanvasChart
        height={240}
        label="exchanges per day by model, with release dates"
        draw={bars.draw}
        hit={bars.hit}
        onDrawn={onBars}
      />
      {showHeat && (
        <>
          <p className="muted small">
            Daily exchanges of the {t.accounts.length} largest of {t.totalAccounts} accounts, earliest
            starters on top.
          </p>
          <CanvasChart
            height={Math.min(700, 90 + 11 * t.accounts.length)}
            label="heatmap of exchanges per account per day"
            draw={heat.draw}
            hit={heat.hit}
            onDrawn={onHeat}
          />
        </>
      )}
    </>
  );
}
