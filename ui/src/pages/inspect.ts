import { codesOf } from '../../../core/codes.js';
import { api, qs } from '../api.js';
import type { CampaignDetail, CampaignHouseholdDetail, CampaignHouseholds } from '../api-types.js';
import { fill, h, select } from '../dom.js';
import { codeLabel, fmtTime, t } from '../i18n.js';
import { messageLine, todayShanghai } from '../ledger.js';
import type { Page } from '../page.js';
import { photoLinks } from '../upload.js';
import { flagBadge, statusBadge } from './campaign.js';
import { coverageText } from './campaigns.js';
import { visitForm } from './visit-form.js';

/**
 * 入户登记: the inspector's page of the full inspection, made for a phone held in one hand at
 * a door (375 px wide and up, issue 16). The list shows the households of a building —
 * flagged by the detectors first — with their standing; a household opens its visit form.
 */
export const inspectPage: Page = {
  id: 'inspect',
  route: /^inspect\/([^/?]+)(?:\?(.*))?$/,
  role: 'operator',
  async render(root, ctx) {
    const id = ctx.params[0] ?? '';
    const q = new URLSearchParams(ctx.params[1] ?? '');
    const c = await api<CampaignDetail>(`/api/campaigns/${encodeURIComponent(id)}`);
    root.classList.add('phone');
    const building = select(
      'building',
      [
        ['', t('全部楼栋')],
        ...c.byBuilding.map((b): [string, string] => [b.buildingId, b.buildingName ?? b.buildingId]),
      ],
      q.get('building') ?? '',
    );
    const status = select(
      'status',
      [
        ['', t('全部')],
        ['not_visited', codeLabel('campaignStatus', 'not_visited')],
        ['due', t('待复访')],
      ],
      q.get('status') ?? '',
    );
    const list = h('ul', { class: 'inspect-list', id: 'inspect-list' });
    const load = async () => {
      const due = status.value === 'due';
      const r = await api<CampaignHouseholds>(
        `/api/campaigns/${encodeURIComponent(id)}/households${qs({
          building: building.value,
          status: due ? '' : status.value,
          dueBy: due ? todayShanghai() : '',
        })}`,
      );
      fill(
        list,
        ...r.items.map((x) =>
          h(
            'li',
            { 'data-household': x.householdId, class: x.flags ? 'flagged' : '' },
            h(
              'a',
              {
                class: 'household-card',
                href: `#/inspect/${encodeURIComponent(id)}/${encodeURIComponent(x.householdId)}`,
              },
              h('strong', {}, `${x.buildingName ?? x.buildingId} ${x.room}`),
              statusBadge(x.status),
              flagBadge(x),
              x.revisitDue ? h('small', { class: 'muted' }, `${t('复访')} ${x.revisitDue}`) : null,
            ),
          ),
        ),
      );
      if (r.items.length === 0) list.append(h('li', { class: 'muted' }, t('暂无数据')));
      root.dataset.loaded = String(r.items.length);
    };
    const reload = () => {
      location.hash = `#/inspect/${encodeURIComponent(id)}${qs({ building: building.value, status: status.value })}`;
    };
    building.addEventListener('change', reload);
    status.addEventListener('change', reload);
    root.append(
      h(
        'div',
        { class: 'phone-head' },
        h('a', { href: `#/campaigns/${encodeURIComponent(id)}`, class: 'back' }, `← ${c.name}`),
        h('span', { class: 'muted', id: 'inspect-progress' }, `${t('入户核查')} ${coverageText(c)}`),
      ),
      h('div', { class: 'phone-filters' }, building, status),
      list,
    );
    await load();
    return undefined;
  },
};

/** One household at the door: who is registered, what was found before, the visit form. */
export const inspectHouseholdPage: Page = {
  id: 'inspect-household',
  route: /^inspect\/([^/?]+)\/([^/?]+)$/,
  role: 'operator',
  async render(root, ctx) {
    const [id = '', hid = ''] = ctx.params;
    root.classList.add('phone');
    const msg = messageLine('visit-message');
    const draw = async (said?: Node | string) => {
      const hh = await api<CampaignHouseholdDetail>(
        `/api/campaigns/${encodeURIComponent(id)}/households/${encodeURIComponent(hid)}`,
      );
      const x = hh.household;
      fill(
        root,
        h(
          'div',
          { class: 'phone-head' },
          h(
            'a',
            { href: `#/inspect/${encodeURIComponent(id)}`, class: 'back', id: 'back-to-list' },
            `← ${t('返回列表')}`,
          ),
        ),
        h(
          'h1',
          { class: 'phone-title' },
          `${x.buildingName ?? x.buildingId} ${x.room} `,
          statusBadge(x.status),
          ' ',
          flagBadge(x),
        ),
        msg.el,
        visitForm(id, hh, ctx.session.user, (r) => {
          const text = r.openedCase
            ? `${t('已记录')}；${t('已立案')} ${r.caseId}`
            : `${t('已记录')}: ${codeLabel('campaignStatus', r.status)}`;
          void draw(text);
        }),
        h(
          'section',
          { class: 'visits', id: 'visit-history' },
          h('h2', {}, t('走访记录')),
          ...hh.visits.map((v) =>
            h(
              'div',
              { class: 'visit', 'data-result': v.result },
              h('div', {}, fmtTime(v.visitedAt), ' ', statusBadge(v.result), ' ', v.inspector),
              v.persons.length
                ? h(
                    'p',
                    { class: 'muted' },
                    v.persons
                      .map((p) => `${p.name ?? t('未登记人员')} ${codeLabel('personCheck', p.check)}`)
                      .join('；'),
                  )
                : null,
              v.note ? h('p', { class: 'note' }, v.note) : null,
              v.caseId ? h('a', { href: `#/cases/${encodeURIComponent(v.caseId)}` }, v.caseId) : null,
              photoLinks(v.photos),
            ),
          ),
        ),
      );
      if (said) msg.say(said);
      root.dataset.status = x.status;
      root.dataset.visits = String(hh.visits.length);
    };
    await draw();
    return undefined;
  },
};

/** The visit results in the order the form offers them. */
export const RESULTS = codesOf('visitResult');
