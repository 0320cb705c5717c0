import type * as Echarts from 'echarts';

declare global {
  interface Window {
    echarts?: typeof Echarts;
  }
}

let loading: Promise<typeof Echarts> | null = null;

/**
 * ECharts, loaded on first use from the package's own copy (/ui/vendor, no CDN): pages
 * without a chart never pay for it. Rendered as SVG: crisp when printed (the report).
 */
export function echarts(): Promise<typeof Echarts> {
  loading ??= new Promise((resolve, reject) => {
    if (window.echarts) return resolve(window.echarts);
    const s = document.createElement('script');
    s.src = '/ui/vendor/echarts.min.js';
    s.onload = () => (window.echarts ? resolve(window.echarts) : reject(new Error('echarts did not load')));
    s.onerror = () => reject(new Error('echarts did not load'));
    document.head.append(s);
  });
  return loading;
}

/** Draws an option into an element; returns a disposer (call it when the page goes). */
export async function drawChart(el: HTMLElement, option: Echarts.EChartsOption): Promise<() => void> {
  const e = await echarts();
  const chart = e.init(el, undefined, { renderer: 'svg' });
  chart.setOption(option);
  const onResize = () => chart.resize();
  window.addEventListener('resize', onResize);
  return () => {
    window.removeEventListener('resize', onResize);
    chart.dispose();
  };
}

/** The font stack of the dashboard, for chart text. */
export const FONT =
  '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif';
