import type { EChartsOption } from 'echarts';
import { api, qs } from '../api.js';
import type { CaseStats, MonthlyReport } from '../api-types.js';
import { drawChart, FONT } from '../chart.js';
import { card, field, h, table } from '../dom.js';
import { codeLabel, fmtTime, t } from '../i18n.js';
import { todayShanghai } from '../ledger.js';
import type { Page } from '../page.js';

/** Width of a chart on A4 (two to a row in the printed column of 186 mm). */
const PRINT_WIDTH = 330;
const COLORS = ['#1677ff', '#fa8c16', '#52c41a', '#cf1322', '#722ed1', '#13c2c2', '#8c8c8c'];

function stat(label: string, value: number): HTMLElement {
  return h('div', { class: 'stat' }, h('span', {}, t(label)), h('strong', {}, value));
}

const base = (): EChartsOption => ({
  textStyle: { fontFamily: FONT },
  animation: false,
  color: COLORS,
  tooltip: {},
  grid: { left: 40, right: 12, top: 28, bottom: 28, containLabel: true },
});

/** The four charts of the report, from its numbers. */
function options(r: MonthlyReport, buildingName: (id: string) => string): Array<[string, EChartsOption]> {
  const kinds = Object.keys(r.findings.byKind);
  const buildings = Object.keys(r.findings.byBuilding);
  const allKinds = [...new Set(buildings.flatMap((b) => Object.keys(r.findings.byBuilding[b] ?? {})))];
  const moves: Array<[string, number]> = [
    ['本月立案', r.cases.opened],
    ['整改完成', r.cases.rectified],
    ['本月逾期', r.cases.overdue],
    ['移交城管', r.cases.handedOver],
    ['本月结案', r.cases.closed],
    ['月末未结', r.cases.openAtMonthEnd],
  ];
  return [
    [
      '按类型发现',
      {
        ...base(),
        xAxis: { type: 'value', minInterval: 1 },
        yAxis: { type: 'category', data: kinds.map((k) => codeLabel('caseKind', k)) },
        series: [{ type: 'bar', data: kinds.map((k) => r.findings.byKind[k] ?? 0), label: { show: true } }],
      },
    ],
    [
      '巡查结果分布',
      {
        ...base(),
        tooltip: { trigger: 'item' },
        legend: { bottom: 0 },
        series: [
          {
            type: 'pie',
            radius: ['35%', '62%'],
            center: ['50%', '45%'],
            label: { formatter: '{b}: {c}' },
            data: Object.entries(r.patrols.byResult).map(([k, v]) => ({
              name: codeLabel('patrolResult', k),
              value: v,
            })),
          },
        ],
      },
    ],
    [
      '案件处置',
      {
        ...base(),
        // Bars across: six labels side by side would overlap in the printed half-column.
        xAxis: { type: 'value', minInterval: 1 },
        yAxis: { type: 'category', inverse: true, data: moves.map(([k]) => t(k)) },
        series: [{ type: 'bar', data: moves.map(([, v]) => v), label: { show: true, position: 'right' } }],
      },
    ],
    [
      '按楼栋发现',
      {
        ...base(),
        legend: { top: 0 },
        xAxis: { type: 'category', data: buildings.map(buildingName) },
        yAxis: { type: 'value', minInterval: 1 },
        series: allKinds.map((k) => ({
          name: codeLabel('caseKind', k),
          type: 'bar',
          stack: 'b',
          data: buildings.map((b) => r.findings.byBuilding[b]?.[k] ?? 0),
        })),
      },
    ],
  ];
}

/**
 * The rows of issue 16: patrols of agencies and listings, the enforcement office's results,
 * tips received, proved true and rewarded.
 */
function workflowRows(r: MonthlyReport): HTMLElement {
  const rows: Array<[string, number]> = [
    [`${codeLabel('patrolTarget', 'agency')}${t('巡查次数')}`, r.targets.agency.patrols],
    [`${codeLabel('patrolTarget', 'agency')}${t('发现违规')}`, r.targets.agency.violations],
    [`${codeLabel('patrolTarget', 'listing')}${t('巡查次数')}`, r.targets.listing.patrols],
    [`${codeLabel('patrolTarget', 'listing')}${t('发现违规')}`, r.targets.listing.violations],
    [t('跨区移交'), r.enforcement.crossDistrict],
    [t('城管反馈'), r.enforcement.feedback],
    ...Object.entries(r.enforcement.byResult).map(([k, v]): [string, number] => [
      `${t('城管反馈')}: ${codeLabel('enforcementResult', k)}`,
      v,
    ]),
    [t('收到举报'), r.tips.received],
    [t('举报属实'), r.tips.substantiated],
    [t('举报奖励'), r.tips.rewarded],
  ];
  const tbl = table([t('项目'), t('数量')], rows, ([k, v]) => [k, v]);
  tbl.id = 'report-workflow';
  return card(t('门店房源巡查、城管反馈与举报'), tbl);
}

/**
 * 月报: the monthly report of one month — patrols, findings, the ledger's movement, the
 * households concerned — with charts, a CSV export (Excel-ready) and a printable A4 page.
 */
export const reportsPage: Page = {
  id: 'reports',
  route: /^reports(?:\?(.*))?$/,
  nav: '月报',
  role: 'viewer',
  async render(root, ctx) {
    const q = new URLSearchParams(ctx.params[0] ?? '');
    const month = /^\d{4}-\d{2}$/.test(q.get('month') ?? '')
      ? (q.get('month') as string)
      : todayShanghai().slice(0, 7);
    const [r, stats] = await Promise.all([
      api<MonthlyReport>(`/api/reports/monthly${qs({ month })}`),
      api<CaseStats>('/api/cases/stats'),
    ]);
    const names = new Map(stats.buildings.map((b) => [b.id, b.name]));
    const buildingName = (id: string) => names.get(id) ?? (id === '-' ? '—' : id);
    const picker = h('input', {
      type: 'month',
      name: 'month',
      value: month,
      max: todayShanghai().slice(0, 7),
    });
    picker.addEventListener('change', () => {
      if (picker.value) location.hash = `#/reports?month=${picker.value}`;
    });
    const print = h('button', { type: 'button', class: 'primary', id: 'print' }, t('打印'));
    print.addEventListener('click', () => window.print());
    const charts = options(r, buildingName).map(([title, option]) => {
      const el = h('div', { class: 'chart report-chart', 'data-print-width': PRINT_WIDTH });
      return { title, option, el };
    });
    const empty = r.patrols.total === 0 && r.findings.total === 0 && r.households.length === 0;
    root.append(
      h(
        'div',
        { class: 'filters no-print' },
        field(t('月份'), picker),
        h(
          'a',
          {
            class: 'button',
            id: 'csv',
            href: `/api/reports/monthly${qs({ month, format: 'csv' })}`,
            download: `monthly-${month}.csv`,
          },
          t('导出CSV'),
        ),
        h(
          'a',
          {
            class: 'button',
            id: 'pdf',
            href: `/api/reports/monthly${qs({ month, format: 'pdf' })}`,
            download: `monthly-${month}.pdf`,
          },
          t('导出PDF'),
        ),
        print,
      ),
      h(
        'article',
        { class: 'report', id: 'report' },
        h(
          'header',
          { class: 'report-head' },
          h('h1', {}, `${r.estate.name} ${t('保障性住房使用管理月报')}`),
          h(
            'p',
            { class: 'muted' },
            `${t('统计期间')}: ${fmtTime(r.period.from).slice(0, 10)} ~ ${fmtTime(new Date(Date.parse(r.period.to) - 1).toISOString()).slice(0, 10)}`,
          ),
        ),
        empty ? h('p', { class: 'notice' }, t('本月无数据')) : null,
        h(
          'div',
          { class: 'stats report-stats', id: 'report-stats' },
          stat('巡查次数', r.patrols.total),
          stat('巡查户数', r.patrols.households),
          stat('巡查天数', r.patrols.days),
          stat('发现问题', r.findings.total),
          stat('本月立案', r.cases.opened),
          stat('整改完成', r.cases.rectified),
          stat('本月逾期', r.cases.overdue),
          stat('移交城管', r.cases.handedOver),
          stat('本月结案', r.cases.closed),
          stat('月末未结', r.cases.openAtMonthEnd),
        ),
        h('div', { class: 'report-charts' }, ...charts.map((c) => card(t(c.title), c.el))),
        workflowRows(r),
        card(
          t('涉及房屋'),
          table(
            [t('房屋'), t('楼栋'), t('房号'), t('类型'), t('案件'), t('月末状态')],
            r.households,
            (x) => [
              h('a', { href: `#/households/${encodeURIComponent(x.householdId)}` }, x.householdId),
              x.buildingId ? buildingName(x.buildingId) : '—',
              x.room ?? '—',
              x.kinds.map((k) => codeLabel('caseKind', k)).join('、'),
              x.cases.length,
              x.stateAtMonthEnd.map((s) => codeLabel('caseState', s)).join('、'),
            ],
            t('暂无数据'),
          ),
        ),
        card(
          t('巡查人员'),
          table(
            [t('巡查人'), t('巡查次数')],
            Object.entries(r.patrols.inspectors).sort((a, b) => b[1] - a[1]),
            ([name, n]) => [name, n],
            t('暂无数据'),
          ),
        ),
        h(
          'footer',
          { class: 'signatures' },
          h('span', {}, `${t('制表人')}: `),
          h('span', {}, `${t('审核人')}: `),
          h('span', {}, `${t('日期')}: `),
        ),
      ),
    );
    const disposers = await Promise.all(charts.map((c) => drawChart(c.el, c.option)));
    root.dataset.loaded = month;
    return () => {
      for (const d of disposers) d();
    };
  },
};
