/** Exchanges per day stacked by model with release markers (pivots show as a colour change right
 * after a release), and a heatmap of the largest accounts' days (synchronised starts and stops). */
import { useMemo } from 'react';
import type { Timeline } from '../../../src/server/api-types.js';
import { day } from '../format.js';
import { Chart, type ChartOption } from './chart.js';

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

export function modelChart(t: Timeline): ChartOption {
  const models = Object.keys(t.models).sort();
  const marks = t.releases.map((r) => ({ name: `${r.model} released`, xAxis: day(r.released_at) }));
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 60, right: 10, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: t.days },
    yAxis: { type: 'value' },
    series: models.map((m, i) => ({
      name: m,
      type: 'bar',
      stack: 'models',
      itemStyle: { color: MODEL_COLORS[i % MODEL_COLORS.length] },
      data: t.models[m],
      ...(i === 0
        ? {
            markLine: {
              symbol: 'none',
              label: { formatter: '{b}', fontSize: 10 },
              lineStyle: { type: 'dashed', color: '#333' },
              data: marks,
            },
          }
        : {}),
    })),
  };
}

export function heatmapChart(t: Timeline): ChartOption {
  const data: [number, number, number][] = [];
  let max = 1;
  t.accounts.forEach((a, y) => {
    a.counts.forEach((n, x) => {
      if (n > 0) data.push([x, y, n]);
      max = Math.max(max, n);
    });
  });
  return {
    tooltip: { position: 'top' },
    grid: { left: 170, right: 20, top: 10, bottom: 60 },
    xAxis: { type: 'category', data: t.days, splitArea: { show: true } },
    yAxis: { type: 'category', data: t.accounts.map((a) => a.account_id), axisLabel: { fontSize: 9 } },
    visualMap: {
      min: 0,
      max,
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 120,
      inRange: { color: ['#eef3f8', '#1f4e79'] },
    },
    series: [{ type: 'heatmap', data, progressive: 5000 }],
  };
}

export function TimelineCharts({ t, heatmap }: { t: Timeline; heatmap: boolean }) {
  const m = useMemo(() => modelChart(t), [t]);
  const h = useMemo(() => heatmapChart(t), [t]);
  return (
    <>
      <Chart option={m} label="exchanges per day by model, with release dates" height={240} />
      {heatmap && t.accounts.length > 1 && (
        <>
          <p className="muted small">
            Daily exchanges of the {t.accounts.length} largest of {t.totalAccounts} accounts, earliest
            starters on top.
          </p>
          <Chart
            option={h}
            label="heatmap of exchanges per account per day"
            height={Math.min(700, 90 + 11 * t.accounts.length)}
          />
        </>
      )}
    </>
  );
}
