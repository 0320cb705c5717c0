import { codesOf } from '../../../core/codes.js';
import { api, qs } from '../api.js';
import type { CampaignDetail, CampaignHousehold, CampaignHouseholds } from '../api-types.js';
import { badge, card, field, fill, h, select, table } from '../dom.js';
import { codeLabel, fmtTime, t } from '../i18n.js';
import { messageLine } from '../ledger.js';
import type { Page } from '../page.js';
import { campaignBadge, coverageText } from './campaigns.js';

/** The tone of a household's standing in a campaign. */
export function statusTone(status: string): 'ok' | 'bad' | 'warn' | 'muted' | 'info' {
  if (status === 'violation_found') return 'bad';
  if (status === 'normal') return 'ok';
  if (status === 'not_visited') return 'muted';
  return 'warn';
}

/** A household's standing as a badge (data-status for tests and styles). */
export function statusBadge(status: string): HTMLSpanElement {
  const b = badge(codeLabel('campaignStatus', status), statusTone(status));
  b.dataset.status = status;
  return b;
}

/** The detectors' flags of a household: a red count with the kinds, or nothing. */
export function flagBadge(hh: Pick<CampaignHousehold, 'flags' | 'flagKinds'>): HTMLElement | null {
  if (hh.flags === 0) return null;
  const b = badge(`⚠ ${hh.flags} ${t('告警')}`, 'bad');
  b.title = hh.flagKinds.map((k) => codeLabel('alertKind', k)).join('、');
  b.classList.add('flag');
  return b;
}

/** A bar of reached / in scope. */
function bar(done: number, total: number): HTMLElement {
  const pct = total ? Math.round((done / total) * 100) : 0;
  return h(
    'span',
    { class: 'bar', title: `${pct}%` },
    h('span', { style: `width:${pct}%` }),
    h('em', {}, `${pct}%`),
  );
}

/**
 * One campaign: its coverage, progress by building and by inspector, and the households —
 * those the detectors flagged first — with their standing; admins close it.
 */
export const campaignPage: Page = {
  id: 'campaign',
  route: /^campaigns\/([^/?]+)$/,
  role: 'viewer',
  async render(root, ctx) {
    const id = ctx.params[0] ?? '';
    const c = await api<CampaignDetail>(`/api/campaigns/${encodeURIComponent(id)}`);
    const msg = messageLine('campaign-message');
    const reached = (s: Record<string, number>) => (s.normal ?? 0) + (s.violation_found ?? 0);
    const building = select('building', [
      ['', t('全部楼栋')],
      ...c.byBuilding.map((b): [string, string] => [b.buildingId, b.buildingName ?? b.buildingId]),
    ]);
    const status = select('status', [
      ['', t('全部状态')],
      ...codesOf('campaignStatus').map((s): [string, string] => [s, codeLabel('campaignStatus', s)]),
    ]);
    const list = h('div', { id: 'campaign-households' });
    const canVisit = ctx.session.role !== 'viewer' && c.state === 'open';
    const load = async () => {
      const r = await api<CampaignHouseholds>(
        `/api/campaigns/${encodeURIComponent(id)}/households${qs({ building: building.value, status: status.value })}`,
      );
      const tbl = table(
        [t('楼栋'), t('房号'), t('排查状态'), t('系统告警'), t('走访次数'), t('最近走访'), t('复访日期'), ''],
        r.items,
        (x) => [
          x.buildingName ?? x.buildingId,
          h('a', { href: `#/households/${encodeURIComponent(x.householdId)}` }, x.room),
          statusBadge(x.status),
          flagBadge(x) ?? '—',
          x.visits,
          fmtTime(x.lastVisit),
          x.revisitDue ?? '—',
          canVisit
            ? h(
                'a',
                { href: `#/inspect/${encodeURIComponent(id)}/${encodeURIComponent(x.householdId)}` },
                t('登记'),
              )
            : '',
        ],
        t('暂无数据'),
      );
      r.items.forEach((x, i) => {
        const tr = tbl.tBodies[0]?.rows[i];
        if (tr) {
          tr.dataset.household = x.householdId;
          if (x.flags) tr.classList.add('flagged');
        }
      });
      fill(list, tbl);
      root.dataset.loaded = String(r.items.length);
    };
    building.addEventListener('change', () => void load());
    status.addEventListener('change', () => void load());
    let closing = false;
    const close = h('button', { type: 'button', id: 'close-campaign' }, t('结束排查'));
    close.addEventListener('click', async () => {
      if (!closing) {
        closing = true;
        close.textContent = t('确认结束排查');
        close.classList.add('danger');
        return;
      }
      try {
        await api(`/api/campaigns/${encodeURIComponent(id)}/close`, { method: 'POST' });
        location.reload();
      } catch (err) {
        msg.say(`${t('请求失败')}: ${(err as Error).message}`, true);
      }
    });
    const stat = (label: string, v: number | string, tone = '') =>
      h('div', { class: `stat ${tone}` }, h('span', {}, t(label)), h('strong', {}, v));
    root.append(
      h(
        'div',
        { class: 'head' },
        h('a', { href: '#/campaigns', class: 'back' }, `← ${t('返回')}`),
        h('h1', {}, c.name),
        campaignBadge(c.state),
        h('span', { class: 'muted' }, `${c.from} ~ ${c.to} · ${t('报告报送日期')} ${c.reportDue}`),
        canVisit
          ? h('a', { class: 'button', href: `#/inspect/${encodeURIComponent(id)}` }, t('入户登记'))
          : null,
        h('a', { class: 'button', href: `#/campaigns/${encodeURIComponent(id)}/report` }, t('排查报告')),
        ctx.session.role === 'admin' && c.state === 'open' ? close : null,
      ),
      msg.el,
      h(
        'div',
        { class: 'stats', id: 'campaign-stats' },
        stat('应排查户数', c.households),
        stat('入户核查', coverageText(c), 'ok'),
        stat('发现违规', c.byStatus.violation_found ?? 0, 'bad'),
        stat('无人在家', c.byStatus.nobody_home ?? 0, 'warn'),
        stat('拒绝入户', c.byStatus.refused ?? 0, 'warn'),
      ),
      h(
        'div',
        { class: 'row even' },
        card(
          t('按楼栋进度'),
          table([t('楼栋'), t('户数'), t('入户核查'), t('进度')], c.byBuilding, (b) => [
            b.buildingName ?? b.buildingId,
            b.households,
            reached(b.byStatus),
            bar(reached(b.byStatus), b.households),
          ]),
        ),
        card(
          t('按巡查人员'),
          table(
            [t('巡查人'), t('走访次数'), t('走访户数'), t('入户核查'), t('发现违规')],
            c.byInspector,
            (i) => [i.inspector, i.visits, i.households, i.reached, i.violations],
            t('暂无数据'),
          ),
        ),
      ),
      card(
        t('房屋清单（系统告警优先）'),
        h('div', { class: 'filters' }, field(t('楼栋'), building), field(t('排查状态'), status)),
        list,
      ),
    );
    await load();
    return undefined;
  },
};
