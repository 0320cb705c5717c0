import { api } from '../api.js';
import type { Overview } from '../api-types.js';
import { drawChart, FONT } from '../chart.js';
import { badge, card, fill, h, table } from '../dom.js';
import { codeLabel, fmtTime, t } from '../i18n.js';
import type { Page } from '../page.js';

/** The tone of an alert severity. */
export function severityTone(s: string): 'bad' | 'warn' | 'info' {
  return s === 'critical' ? 'bad' : s === 'warning' ? 'warn' : 'info';
}

function stat(label: string, value: number | string, tone = '', sub: string | null = null): HTMLElement {
  return h(
    'div',
    { class: `stat ${tone}` },
    h('span', {}, label),
    h('strong', {}, value),
    sub ? h('small', {}, sub) : null,
  );
}

/** 总览: today's traffic, open alerts, devices, the last 24 h by hour, the newest findings. */
export const overviewPage: Page = {
  id: 'overview',
  route: /^overview$/,
  nav: '总览',
  role: 'viewer',
  async render(root) {
    const stats = h('div', { class: 'stats' });
    const chartEl = h('div', { class: 'chart', id: 'hourly-chart' });
    const kinds = h('div');
    const newest = h('div');
    root.append(
      stats,
      h('div', { class: 'row' }, card(t('近24小时通行'), chartEl), card(t('按类型'), kinds)),
      card(t('最新发现'), newest),
    );
    let dispose: (() => void) | undefined;
    const load = async () => {
      const o = await api<Overview>('/api/overview');
      fill(
        stats,
        stat(t('今日进入'), o.today.in),
        stat(t('今日外出'), o.today.out),
        stat(t('今日拒绝'), o.today.denied, o.today.denied ? 'warn' : ''),
        stat(t('未处理告警'), o.openAlerts.total, o.openAlerts.total ? 'bad' : ''),
        stat(
          t('设备在线'),
          `${o.devices.online} / ${o.devices.online + o.devices.offline + o.devices.unknown}`,
          o.devices.offline ? 'bad' : 'ok',
          `${t('离线')} ${o.devices.offline} · ${t('未知')} ${o.devices.unknown}`,
        ),
      );
      fill(
        kinds,
        table(
          [t('类型'), t('次数')],
          o.openAlerts.byKind,
          (k) => [
            h('a', { href: `#/alerts?kind=${k.key}&state=open` }, codeLabel('alertKind', k.key)),
            k.count,
          ],
          t('暂无数据'),
        ),
      );
      fill(
        newest,
        table(
          [t('时间'), t('类型'), t('级别'), t('门'), t('房屋'), t('次数')],
          o.newest,
          (a) => [
            fmtTime(a.lastTime),
            h('a', { href: `#/alerts/${encodeURIComponent(a.id)}` }, codeLabel('alertKind', a.kind)),
            badge(codeLabel('severity', a.severity), severityTone(a.severity)),
            a.doorName ?? '—',
            a.householdId
              ? h('a', { href: `#/households/${encodeURIComponent(a.householdId)}` }, a.householdId)
              : '—',
            a.count,
          ],
          t('暂无数据'),
        ),
      );
      dispose?.();
      dispose = await drawChart(chartEl, {
        textStyle: { fontFamily: FONT },
        animation: false,
        tooltip: { trigger: 'axis' },
        legend: { data: [t('进'), t('出')], top: 0 },
        grid: { left: 40, right: 12, top: 30, bottom: 24 },
        xAxis: { type: 'category', data: o.hourly.map((x) => fmtTime(x.hour, false).slice(0, 2)) },
        yAxis: { type: 'value', minInterval: 1 },
        series: [
          {
            name: t('进'),
            type: 'bar',
            stack: 'n',
            data: o.hourly.map((x) => x.in),
            itemStyle: { color: '#1677ff' },
          },
          {
            name: t('出'),
            type: 'bar',
            stack: 'n',
            data: o.hourly.map((x) => x.out),
            itemStyle: { color: '#69b1ff' },
          },
        ],
      });
      root.dataset.loaded = o.now;
    };
    await load();
    const timer = setInterval(() => void load().catch(() => undefined), 30_000);
    return () => {
      clearInterval(timer);
      dispose?.();
    };
  },
};
