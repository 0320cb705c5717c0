import { codesOf } from '../../../core/codes.js';
import { api, qs } from '../api.js';
import type { Alert, Case } from '../api-types.js';
import { badge, card, field, fill, h, select, table } from '../dom.js';
import { evidenceTable } from '../entries.js';
import { evidenceChain } from '../evidence.js';
import { alertStateLabel, codeLabel, fmtTime, t } from '../i18n.js';
import { caseStateBadge, deadlineText } from '../ledger.js';
import type { Page } from '../page.js';
import { severityTone } from './overview.js';

/** 告警: the alert list, newest first, by state and kind, paged. A finding's case is on 台账. */
export const alertsPage: Page = {
  id: 'alerts',
  route: /^alerts(?:\?(.*))?$/,
  nav: '告警',
  role: 'viewer',
  async render(root, ctx) {
    const q = new URLSearchParams(ctx.params[0] ?? '');
    const fState = select(
      'state',
      [['', t('全部')], ...codesOf('alertState').map((s): [string, string] => [s, alertStateLabel(s)])],
      q.get('state') ?? '',
    );
    const fKind = select(
      'kind',
      [['', t('全部')], ...codesOf('alertKind').map((k): [string, string] => [k, codeLabel('alertKind', k)])],
      q.get('kind') ?? '',
    );
    const list = h('tbody');
    const more = h('button', { type: 'button', class: 'link' }, t('加载更多'));
    let next: string | null = null;
    const row = (a: Alert) =>
      h(
        'tr',
        {},
        ...[
          fmtTime(a.lastTime),
          h('a', { href: `#/alerts/${encodeURIComponent(a.id)}` }, codeLabel('alertKind', a.kind)),
          badge(codeLabel('severity', a.severity), severityTone(a.severity)),
          alertStateLabel(a.state),
          a.doorId ?? '—',
          a.householdId
            ? h('a', { href: `#/households/${encodeURIComponent(a.householdId)}` }, a.householdId)
            : '—',
          a.count,
        ].map((c) => h('td', {}, c)),
      );
    const load = async (reset: boolean) => {
      const r = await api<{ items: Alert[]; next: string | null }>(
        `/api/alerts${qs({ state: fState.value, kind: fKind.value, before: reset ? null : next, limit: 50 })}`,
      );
      if (reset) fill(list);
      list.append(...r.items.map(row));
      next = r.next;
      more.hidden = next === null;
    };
    more.addEventListener('click', () => void load(false));
    for (const f of [fState, fKind]) f.addEventListener('change', () => void load(true));
    const heads = [t('时间'), t('类型'), t('级别'), t('状态'), t('门'), t('房屋'), t('次数')];
    root.append(
      h('div', { class: 'filters' }, field(t('状态'), fState), field(t('类型'), fKind)),
      card(
        null,
        h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, ...heads.map((x) => h('th', {}, x)))), list),
        more,
      ),
    );
    await load(true);
    return undefined;
  },
};

/** One alert with its evidence: the entries, scores and thumbnails that raised it, and its case. */
export const alertPage: Page = {
  id: 'alert',
  route: /^alerts\/([^/?]+)$/,
  role: 'viewer',
  async render(root, ctx) {
    const a = await api<Alert>(`/api/alerts/${encodeURIComponent(ctx.params[0] ?? '')}`);
    // A pattern finding opened a ledger case: the case is where it is handled.
    const cases = await api<{ items: Case[] }>(`/api/cases${qs({ alert: a.id, limit: 5 })}`);
    root.append(
      h(
        'div',
        { class: 'head' },
        h('a', { href: '#/alerts', class: 'back' }, `← ${t('返回')}`),
        h('h1', {}, codeLabel('alertKind', a.kind)),
        badge(codeLabel('severity', a.severity), severityTone(a.severity)),
        badge(alertStateLabel(a.state), a.state === 'open' ? 'warn' : 'muted'),
      ),
      card(
        t('告警详情'),
        h(
          'dl',
          { class: 'facts' },
          h('dt', {}, t('首次')),
          h('dd', {}, fmtTime(a.firstTime)),
          h('dt', {}, t('最近')),
          h('dd', {}, fmtTime(a.lastTime)),
          h('dt', {}, t('次数')),
          h('dd', {}, a.count),
          h('dt', {}, t('门')),
          h('dd', {}, a.doorId ?? '—'),
          h('dt', {}, t('读头')),
          h('dd', {}, a.readerId ?? '—'),
          h('dt', {}, t('房屋')),
          h(
            'dd',
            {},
            a.householdId
              ? h('a', { href: `#/households/${encodeURIComponent(a.householdId)}` }, a.householdId)
              : '—',
          ),
        ),
      ),
      ...(cases.items.length === 0
        ? []
        : [
            card(
              t('台账案件'),
              table([t('编号'), t('状态'), t('整改期限')], cases.items, (c) => [
                h(
                  'a',
                  { href: `#/cases/${encodeURIComponent(c.id)}` },
                  `${c.id} · ${codeLabel('caseSource', c.source)}`,
                ),
                caseStateBadge(c),
                deadlineText(c),
              ]),
            ),
          ]),
    );
    // A door alarm (issue 13) carries its facts and the camera's snapshot instead of entries.
    if (a.details) root.append(card(t('详情'), evidenceChain(a.details)));
    if (a.evidence.length > 0 || !a.details) root.append(card(t('证据'), evidenceTable(a.evidence)));
    return undefined;
  },
};
