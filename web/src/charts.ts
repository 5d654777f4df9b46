// Apache ECharts, only the parts the plan view draws (tree-shaken).
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { h } from './dom';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

export const PALETTE = ['#2454d6', '#f08c2e', '#1b9e77', '#9b59b6', '#e0474c', '#17a2b8'];

// One chart in a box: the chart, an empty-state overlay and data-points (read by the e2e tests).
export class ChartBox {
  readonly el: HTMLElement;
  private readonly canvasHost: HTMLElement;
  private readonly empty: HTMLElement;
  private chart: echarts.ECharts | null = null;
  private observer: ResizeObserver | null = null;

  constructor(name: string, emptyText: string) {
    this.canvasHost = h('div', { class: 'chart-canvas' });
    this.empty = h('div', { class: 'chart-empty' }, emptyText);
    this.el = h('div', { class: 'chart', 'data-chart': name, 'data-points': '0' }, this.canvasHost, this.empty);
  }

  set(option: echarts.EChartsCoreOption, points: number): void {
    if (!this.chart) {
      this.chart = echarts.init(this.canvasHost, undefined, { renderer: 'canvas' });
      this.observer = new ResizeObserver(() => this.chart?.resize());
      this.observer.observe(this.canvasHost);
    }
    this.chart.setOption({ color: PALETTE, animation: false, ...option }, { notMerge: true });
    this.el.dataset.points = String(points);
    this.empty.hidden = points > 0;
  }

  dispose(): void {
    this.observer?.disconnect();
    this.chart?.dispose();
    this.chart = null;
  }
}
