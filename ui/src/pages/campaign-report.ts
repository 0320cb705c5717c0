import { api, qs } from '../api.js';
import type { CampaignReport, ReportSent } from '../api-types.js';
import { card, h, table } from '../dom.js';
import { codeLabel, fmtTime, t } from '../i18n.js';
import { messageLine } from '../ledger.js';
import type { Page } from '../page.js';

function stat(label: string, value: number | string, id?: string): HTMLElement {
  return h('div', { class: 'stat', 'data-key': id ?? null }, h('span', {}, t(label)), h('strong', {}, value));
}

/**
 * 排查报告: the written report of a full inspection (issue 16) — coverage, the people checked
 * against the roster, violations by kind, the cases and how far they went, progress by
 * building and inspector, the households never reached — on screen, as CSV, as the server's
 * PDF (导出PDF, drawn like the monthly one) and printed on A4; admins send it upstream
 * (estate.report.campaign).
 */
export const campaignReportPage: Page = {
  id: 'campaign-report',
  route: /^campaigns\/([^/?]+)\/report$/,
  role: 'viewer',
  async render(root, ctx) {
    const id = ctx.params[0] ?? '';
    const r = await api<CampaignReport>(`/api/campaigns/${encodeURIComponent(id)}/report`);
    const msg = messageLine('report-message');
    const print = h('button', { type: 'button', class: 'primary', id: 'print' }, t('打印'));
    print.addEventListener('click', () => window.print());
    const send = h('button', { type: 'button', id: 'send-report' }, t('报送上级'));
    send.addEventListener('click', async () => {
      try {
        const s = await api<ReportSent>(`/api/campaigns/${encodeURIComponent(id)}/report`, {
          method: 'POST',
        });
        msg.say(`${t('已报送')}（${t('第')}${s.number}${t('次')}）: ${s.eventId}`);
      } catch (err) {
        msg.say(`${t('请求失败')}: ${(err as Error).message}`, true);
      }
    });
    const pct = `${(r.coverage.rate * 100).toFixed(1)}%`;
    const cases: Array<[string, number]> = [
      ['立案', r.cases.opened],
      ['并入已有案件', r.cases.joined],
      ['整改到位', r.cases.rectified],
      ['移交城管', r.cases.handedOver],
      ['已结案', r.cases.closed],
      ['未结案', r.cases.open],
    ];
    root.append(
      h(
        'div',
        { class: 'filters no-print' },
        h('a', { href: `#/campaigns/${encodeURIComponent(id)}`, class: 'back' }, `← ${t('返回')}`),
        h(
          'a',
          {
            class: 'button',
            id: 'csv',
            href: `/api/campaigns/${encodeURIComponent(id)}/report${qs({ format: 'csv' })}`,
            download: `campaign-${id}.csv`,
          },
          t('导出CSV'),
        ),
        h(
          'a',
          {
            class: 'button',
            id: 'pdf',
            href: `/api/campaigns/${encodeURIComponent(id)}/report${qs({ format: 'pdf' })}`,
            download: `campaign-${id}.pdf`,
          },
          t('导出PDF'),
        ),
        print,
        ctx.session.role === 'admin' ? send : null,
      ),
      msg.el,
      h(
        'article',
        { class: 'report', id: 'report' },
        h(
          'header',
          { class: 'report-head' },
          h('h1', {}, `${r.estate.name} ${r.campaign.name} ${t('排查报告')}`),
          h(
            'p',
            { class: 'muted' },
            `${t('排查期间')}: ${r.campaign.from} ~ ${r.campaign.to} · ${t('报送日期')}: ${r.campaign.reportDue} · ${t('生成时间')}: ${fmtTime(r.generatedAt)}`,
          ),
        ),
        h(
          'div',
          { class: 'stats report-stats', id: 'report-stats' },
          stat('应排查户数', r.coverage.households, 'households'),
          stat('已入户核查', r.coverage.reached, 'reached'),
          stat('覆盖率', pct, 'rate'),
          stat('发现违规户数', r.violations.households, 'violations'),
          stat('未入户', r.unreached.length, 'unreached'),
          stat('核查登记人员', r.persons.checked, 'checked'),
          stat('在住', r.persons.present, 'present'),
          stat('不在', r.persons.absent, 'absent'),
          stat('未登记人员', r.persons.unregistered, 'unregistered'),
          stat('立案', r.cases.opened, 'opened'),
        ),
        h(
          'div',
          { class: 'row even' },
          card(
            t('违规类型'),
            table(
              [t('类型'), t('户数')],
              Object.entries(r.violations.byKind),
              ([k, n]) => [codeLabel('caseKind', k), n],
              t('未发现违规'),
            ),
          ),
          card(
            t('案件处置'),
            table([t('项目'), t('件数')], cases, ([k, n]) => [t(k), n]),
          ),
        ),
        card(
          t('按楼栋'),
          table([t('楼栋'), t('户数'), t('已入户核查'), t('发现违规'), t('未入户')], r.byBuilding, (b) => [
            b.buildingName ?? b.buildingId,
            b.households,
            b.reached,
            b.violations,
            b.unreached,
          ]),
        ),
        card(
          t('按巡查人员'),
          table(
            [t('巡查人'), t('走访次数'), t('走访户数'), t('入户核查'), t('发现违规')],
            r.byInspector,
            (i) => [i.inspector, i.visits, i.households, i.reached, i.violations],
            t('暂无数据'),
          ),
        ),
        h(
          'section',
          { class: 'card', id: 'unreached' },
          h('h2', {}, `${t('未入户房屋')} (${r.unreached.length})`),
          table(
            [t('楼栋'), t('房号'), t('状态'), t('走访次数'), t('最近走访'), t('复访日期')],
            r.unreached,
            (u) => [
              u.buildingName ?? u.buildingId,
              u.room,
              codeLabel('campaignStatus', u.status),
              u.visits,
              fmtTime(u.lastVisit),
              u.revisitDue ?? '—',
            ],
            t('全部入户核查'),
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
    root.dataset.loaded = r.campaign.id;
    return undefined;
  },
};
