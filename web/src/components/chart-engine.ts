/**
 * ECharts, imported piece by piece from echarts/core (the full bundle is ~1.8 MB): bar, line and
 * heatmap series, with grid, tooltip, legend, release mark lines, zoom and a colour scale. Loaded
 * on demand by chart.tsx, in a chunk of its own (~0.6 MB), so no page waits for it to start.
 */
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  LineChart,
  HeatmapChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  MarkLineComponent,
  DataZoomComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export const initChart = (el: HTMLElement): echarts.ECharts =>
  echarts.init(el, undefined, { renderer: 'canvas' });
