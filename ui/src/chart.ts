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

/**
 * Draws an option into an element; returns a disposer (call it when the page goes). An
 * element with `data-print-width` (px) is redrawn at that width for printing — an SVG
 * drawn for the screen would overflow the A4 column — and back afterwards.
 */
export async function drawChart(el: HTMLElement, option: Echarts.EChartsOption): Promise<() => void> {
  const e = await echarts();
  const chart = e.init(el, undefined, { renderer: 'svg' });
  chart.setOption(option);
  const printWidth = Number(el.dataset.printWidth ?? 0);
  const print = window.matchMedia('print');
  const toPrint = () => chart.resize({ width: printWidth, height: el.clientHeight });
  // A resize while printing (the print preview's own) keeps the print width.
  const onResize = () => (printWidth && print.matches ? toPrint() : chart.resize());
  window.addEventListener('resize', onResize);
  const onPrintMedia = (ev: MediaQueryListEvent) => (ev.matches ? toPrint() : onResize());
  if (printWidth) {
    window.addEventListener('beforeprint', toPrint);
    window.addEventListener('afterprint', onResize);
    print.addEventListener('change', onPrintMedia);
  }
  return () => {
    window.removeEventListener('resize', onResize);
    window.removeEventListener('beforeprint', toPrint);
    window.removeEventListener('afterprint', onResize);
    print.removeEventListener('change', onPrintMedia);
    chart.dispose();
  };
}

/** The font stack of the dashboard, for chart text. */
export const FONT =
  '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif';
