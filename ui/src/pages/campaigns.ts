import { api } from '../api.js';
import type { Campaign, CampaignsReply, CaseStats } from '../api-types.js';
import { badge, card, field, h, table } from '../dom.js';
import { codeLabel, t } from '../i18n.js';
import { messageLine, todayShanghai } from '../ledger.js';
import type { Page } from '../page.js';

/** Reached of in scope, as "12/40 (30%)". */
export function coverageText(c: Pick<Campaign, 'reached' | 'households'>): string {
  const pct = c.households ? Math.round((c.reached / c.households) * 100) : 0;
  return `${c.reached}/${c.households} (${pct}%)`;
}

/** A campaign's state as a badge. */
export function campaignBadge(state: string): HTMLSpanElement {
  return badge(codeLabel('campaignState', state), state === 'open' ? 'info' : 'muted');
}

/** The form an admin opens a campaign with: name, period, report date, buildings (none: all). */
function openForm(buildings: CaseStats['buildings'], done: (c: Campaign) => void): HTMLElement {
  const msg = messageLine('campaign-message');
  const year = todayShanghai().slice(0, 4);
  const name = h('input', {
    name: 'name',
    required: true,
    maxlength: 100,
    size: 24,
    value: `${year}年度全面排查`,
  });
  const from = h('input', { type: 'date', name: 'from', required: true, value: todayShanghai() });
  const to = h('input', { type: 'date', name: 'to', required: true, value: `${year}-03-31` });
  const due = h('input', { type: 'date', name: 'reportDue', required: true, value: `${year}-04-15` });
  const boxes = buildings.map((b) => h('input', { type: 'checkbox', name: 'building', value: b.id }));
  const form = h(
    'form',
    { id: 'campaign-form', class: 'filters' },
    field(t('排查名称'), name),
    field(t('开始日期'), from),
    field(t('结束日期'), to),
    field(t('报告报送日期'), due),
    h(
      'fieldset',
      { class: 'buildings' },
      h('legend', {}, t('排查范围（不选即全小区）')),
      ...buildings.map((b, i) => h('label', { class: 'check' }, boxes[i] as HTMLInputElement, b.name)),
    ),
    h('button', { type: 'submit', class: 'primary' }, t('发起排查')),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
    try {
      const c = await api<Campaign>('/api/campaigns', {
        method: 'POST',
        body: {
          name: name.value.trim(),
          from: from.value,
          to: to.value,
          reportDue: due.value,
          ...(chosen.length ? { buildings: chosen } : {}),
        },
      });
      msg.say(`${t('已发起')}: ${c.name}（${c.households} ${t('户')}）`);
      done(c);
    } catch (err) {
      msg.say(`${t('请求失败')}: ${(err as Error).message}`, true);
    }
  });
  return card(t('发起全面排查'), form, msg.el);
}

/**
 * 全面排查: the annual full inspection of every household ("不漏一户、不漏一人", issue 16).
 * Admins open a campaign; everyone sees each campaign's coverage; operators go to the phone
 * page to record visits.
 */
export const campaignsPage: Page = {
  id: 'campaigns',
  route: /^campaigns$/,
  nav: '全面排查',
  role: 'viewer',
  async render(root, ctx) {
    const [list, stats] = await Promise.all([
      api<CampaignsReply>('/api/campaigns'),
      api<CaseStats>('/api/cases/stats'),
    ]);
    const names = new Map(stats.buildings.map((b) => [b.id, b.name]));
    const canVisit = ctx.session.role !== 'viewer';
    const rows = table(
      [t('排查名称'), t('排查期间'), t('范围'), t('状态'), t('入户核查'), t('报告报送日期'), ''],
      list.items,
      (c) => [
        h('a', { href: `#/campaigns/${encodeURIComponent(c.id)}`, class: 'campaign-link' }, c.name),
        `${c.from} ~ ${c.to}`,
        c.buildings ? c.buildings.map((b) => names.get(b) ?? b).join('、') : t('全小区'),
        campaignBadge(c.state),
        coverageText(c),
        c.reportDue,
        h(
          'span',
          { class: 'buttons' },
          canVisit && c.state === 'open'
            ? h('a', { class: 'button', href: `#/inspect/${encodeURIComponent(c.id)}` }, t('入户登记'))
            : null,
          h('a', { class: 'button', href: `#/campaigns/${encodeURIComponent(c.id)}/report` }, t('排查报告')),
        ),
      ],
      t('暂无排查'),
    );
    rows.id = 'campaigns';
    root.append(
      h('div', { class: 'head' }, h('h1', {}, t('全面排查'))),
      ...(ctx.session.role === 'admin'
        ? [
            openForm(stats.buildings, (c) => {
              location.hash = `#/campaigns/${encodeURIComponent(c.id)}`;
            }),
          ]
        : []),
      card(t('排查任务'), rows),
    );
    root.dataset.loaded = String(list.items.length);
    return undefined;
  },
};
