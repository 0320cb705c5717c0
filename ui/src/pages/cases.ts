import { CASE_KINDS, CASE_STATES } from '../../../core/codes.js';
import { api, qs } from '../api.js';
import type { Case, CaseStats } from '../api-types.js';
import { card, field, fill, h, select } from '../dom.js';
import { zhSummary } from '../evidence.js';
import { codeLabel, fmtTime, t } from '../i18n.js';
import { age, caseLink, caseStateBadge, deadlineText, isDueSoon, isOverdue, place } from '../ledger.js';
import type { Page } from '../page.js';

/** The row of one case; overdue rows are marked (red), rows due within days too (amber). */
function caseRow(c: Case): HTMLTableRowElement {
  const cls = isOverdue(c) ? 'overdue' : isDueSoon(c) ? 'due-soon' : '';
  return h(
    'tr',
    { class: cls, 'data-case': c.id },
    ...[
      h('a', { href: `#/cases/${encodeURIComponent(c.id)}` }, c.id),
      caseLink(c),
      codeLabel('caseSource', c.source),
      c.householdId
        ? h('a', { href: `#/households/${encodeURIComponent(c.householdId)}` }, place(c))
        : place(c),
      caseStateBadge(c),
      fmtTime(c.detectedTime),
      age(c.detectedTime),
      h('span', { class: isOverdue(c) ? 'error' : '' }, deadlineText(c)),
      h('span', { class: 'summary', title: zhSummary(c.summary) }, zhSummary(c.summary)),
    ].map((x) => h('td', {}, x)),
  );
}

/**
 * 台账: the ledger's cases with state, age and deadline; tabs by state with their counts,
 * filters by kind and building; passed deadlines highlighted and counted above the list.
 */
export const casesPage: Page = {
  id: 'cases',
  route: /^cases(?:\?(.*))?$/,
  nav: '台账',
  role: 'viewer',
  async render(root, ctx) {
    const q = new URLSearchParams(ctx.params[0] ?? '');
    const stats = await api<CaseStats>('/api/cases/stats');
    // The state is chosen by the tabs (with their counts), kind and building by the filters.
    let state = q.get('state') ?? '';
    const fKind = select(
      'kind',
      [['', t('全部')], ...CASE_KINDS.map((k): [string, string] => [k, codeLabel('caseKind', k)])],
      q.get('kind') ?? '',
    );
    const fBuilding = select(
      'building',
      [['', t('全部')], ...stats.buildings.map((b): [string, string] => [b.id, b.name])],
      q.get('building') ?? '',
    );
    const tabs = h('div', { class: 'tabs', id: 'case-tabs' });
    const drawTabs = () =>
      fill(
        tabs,
        ...[['', t('全部')] as [string, string], ...CASE_STATES.map((s): [string, string] => [s, ''])].map(
          ([s, all]) => {
            const b = h(
              'button',
              { type: 'button', class: state === s ? 'tab active' : 'tab', 'data-state': s },
              s ? `${codeLabel('caseState', s)} ${stats.byState[s] ?? 0}` : all,
            );
            b.addEventListener('click', () => {
              state = s;
              drawTabs();
              void load(true);
            });
            return b;
          },
        ),
      );
    const warn = h(
      'p',
      { class: 'deadline-note', id: 'deadline-note', hidden: !stats.pastDeadline && !stats.dueSoon },
      stats.pastDeadline
        ? h('span', { class: 'error' }, `${stats.pastDeadline} ${t('件整改期限已过')}`)
        : null,
      stats.pastDeadline && stats.dueSoon ? '；' : null,
      stats.dueSoon ? `${stats.dueSoon} ${t('件即将到期')} ${stats.dueSoonDays}${t('天')}` : null,
    );
    const body = h('tbody');
    const more = h('button', { type: 'button', class: 'link' }, t('加载更多'));
    let next: string | null = null;
    const heads = ['编号', '类型', '来源', '房屋', '状态', '发现时间', '已历时', '整改期限', '摘要'];
    const load = async (reset: boolean) => {
      const r = await api<{ items: Case[]; next: string | null }>(
        `/api/cases${qs({ state, kind: fKind.value, building: fBuilding.value, before: reset ? null : next, limit: 50 })}`,
      );
      if (reset) fill(body);
      body.append(...r.items.map(caseRow));
      if (reset && r.items.length === 0)
        body.append(h('tr', {}, h('td', { colspan: heads.length, class: 'empty' }, t('暂无数据'))));
      next = r.next;
      more.hidden = next === null;
      root.dataset.loaded = String(Date.now());
    };
    more.addEventListener('click', () => void load(false));
    for (const f of [fKind, fBuilding]) f.addEventListener('change', () => void load(true));
    drawTabs();
    root.append(
      tabs,
      h('div', { class: 'filters' }, field(t('类型'), fKind), field(t('楼栋'), fBuilding)),
      warn,
      card(
        null,
        h(
          'table',
          { class: 'grid cases', id: 'cases' },
          h('thead', {}, h('tr', {}, ...heads.map((x) => h('th', {}, t(x))))),
          body,
        ),
        more,
      ),
    );
    await load(true);
    return undefined;
  },
};
