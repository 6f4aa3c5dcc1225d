/**
 * A chart (ECharts on a canvas). The chart code is loaded on first use, in parallel with the data
 * (chart-engine.ts); the box keeps its height meanwhile. Charts are drawn without the opening
 * animation: the picture is complete when the chart says it is drawn, and a page of charts costs
 * no second of repainting just after it appears.
 */
import type { ECharts, EChartsCoreOption } from 'echarts/core';
import { useEffect, useRef, useState } from 'react';

export type ChartOption = EChartsCoreOption;
type Engine = typeof import('./chart-engine.js');

let engine: Engine | null = null;
let loading: Promise<Engine> | null = null;
/** Starts loading the chart code (views call it as they mount, before their data is there). */
export function loadCharts(): Promise<Engine> {
  loading ??= import('./chart-engine.js').then((m) => {
    engine = m;
    return m;
  });
  return loading;
}

export function Chart({
  option,
  height = 260,
  label,
  onDrawn,
}: {
  option: ChartOption;
  height?: number;
  label: string;
  /** Called each time the chart has been drawn with a new option. */
  onDrawn?: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [chart, setChart] = useState<ECharts | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const drawnRef = useRef(onDrawn);
  drawnRef.current = onDrawn;

  useEffect(() => {
    const el = ref.current;
    if (el === null) return;
    let live = true;
    let c: ECharts | null = null;
    let ro: ResizeObserver | null = null;
    const start = (m: Engine) => {
      if (!live) return;
      c = m.initChart(el);
      const drawn = c;
      ro = new ResizeObserver(() => drawn.resize());
      ro.observe(el);
      setChart(c);
    };
    if (engine !== null) start(engine);
    else loadCharts().then(start, (e: unknown) => live && setFailed(String(e)));
    return () => {
      live = false;
      ro?.disconnect();
      c?.dispose();
    };
  }, []);

  useEffect(() => {
    if (chart === null) return;
    chart.setOption({ animation: false, ...option }, { notMerge: true });
    drawnRef.current?.();
  }, [chart, option]);

  useEffect(() => {
    if (failed !== null) drawnRef.current?.();
  }, [failed]);

  return (
    <div ref={ref} className="chart" style={{ height }} role="img" aria-label={label}>
      {failed !== null && <p className="error">The chart could not be drawn: {failed}</p>}
    </div>
  );
}
