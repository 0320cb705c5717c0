import { api, qs } from '../api.js';
import type { HouseholdFile, HouseholdHit, HouseholdSearch } from '../api-types.js';
import { badge, card, field, fill, h, select, table } from '../dom.js';
import { entryCells, entryHeads } from '../entries.js';
import { alertStateLabel, codeLabel, fmtTime, t } from '../i18n.js';
import type { Page } from '../page.js';
import { faceOffersCard } from './household-faces.js';
import { ledgerCards, ledgerForms } from './household-ledger.js';
import { severityTone } from './overview.js';

const STATUS_TONE: Record<string, 'ok' | 'bad' | 'muted'> = {
  active: 'ok',
  moved_out: 'bad',
  terminated: 'bad',
  suspended: 'bad',
};

/** 一户一档 search: by building, room (prefix) and — operator and above — resident name. */
export const householdsPage: Page = {
  id: 'households',
  route: /^households$/,
  nav: '一户一档',
  role: 'viewer',
  async render(root, ctx) {
    const first = await api<HouseholdSearch>('/api/households?limit=50');
    const fBuilding = select('building', [
      ['', t('全部')],
      ...first.buildings.map((b): [string, string] => [b.id, b.name]),
    ]);
    const fRoom = h('input', { name: 'room', maxlength: 16, size: 8 });
    const fName = h('input', { name: 'name', maxlength: 32, size: 10, disabled: ctx.masked });
    const results = h('div', { id: 'household-results' });
    const form = h(
      'form',
      { class: 'filters' },
      field(t('楼栋'), fBuilding),
      field(t('房号'), fRoom),
      field(t('姓名'), fName),
      h('button', { type: 'submit', class: 'primary' }, t('查询')),
      ctx.masked ? h('span', { class: 'muted' }, t('姓名已脱敏')) : null,
    );
    const draw = (items: HouseholdHit[]) =>
      fill(
        results,
        table(
          [t('房屋'), t('楼栋'), t('房号'), t('类型'), t('状态'), t('承租人'), t('在住人数')],
          items,
          (x) => [
            h('a', { href: `#/households/${encodeURIComponent(x.id)}` }, x.id),
            x.buildingName ?? x.buildingId,
            x.room,
            codeLabel('housingType', x.housingType),
            badge(codeLabel('householdStatus', x.status), STATUS_TONE[x.status] ?? 'muted'),
            x.leaseholder ?? '—',
            x.members,
          ],
          t('暂无数据'),
        ),
      );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const r = await api<HouseholdSearch>(
        `/api/households${qs({ building: fBuilding.value, room: fRoom.value.trim(), name: fName.value.trim(), limit: 100 })}`,
      );
      draw(r.items);
    });
    root.append(form, card(null, results));
    draw(first.items);
    return undefined;
  },
};

/**
 * The household file: lease, members with masked credentials, recent entries, alerts; the
 * ledger's cases, visitor passes and patrol visits; and — operators — the forms of a patrol
 * visit and of a tip or complaint, after which the file is drawn again.
 */
export const householdFilePage: Page = {
  id: 'household',
  route: /^households\/([^/]+)$/,
  role: 'viewer',
  async render(root, ctx) {
    const id = ctx.params[0] ?? '';
    const canAct = ctx.session.role !== 'viewer';
    const top = h('div');
    const ledger = h('div', { id: 'household-ledger' });
    const faces = h('div', { id: 'household-faces' });
    const load = () => api<HouseholdFile>(`/api/households/${encodeURIComponent(id)}`);
    const reload = async () => {
      const f = await load();
      fill(ledger, ...ledgerCards(f));
      fill(faces, faceOffersCard(f, canAct, reload));
    };
    const f = await load();
    fill(
      top,
      h(
        'div',
        { class: 'head' },
        h('a', { href: '#/households', class: 'back' }, `← ${t('返回')}`),
        h('h1', {}, `${f.buildingName ?? f.buildingId} ${f.room}`),
        badge(codeLabel('housingType', f.housingType), 'info'),
        badge(codeLabel('householdStatus', f.status), STATUS_TONE[f.status] ?? 'muted'),
        h('span', { class: 'muted' }, `${t('租约')}: ${f.leaseStart ?? '—'} ~ ${f.leaseEnd ?? '—'}`),
        ctx.masked ? h('span', { class: 'badge warn', id: 'masked-note' }, t('姓名已脱敏')) : null,
        canAct
          ? h(
              'a',
              { href: `#/visitors?household=${encodeURIComponent(f.id)}`, id: 'add-visitor' },
              t('登记访客'),
            )
          : null,
      ),
      card(
        t('成员'),
        table(
          [t('姓名'), t('角色'), t('状态'), t('身份证'), t('电话'), t('凭证'), t('有效期')],
          f.members,
          (m) => [
            h('span', { class: 'member-name' }, m.name),
            codeLabel('residentRole', m.role),
            badge(codeLabel('residentStatus', m.status), STATUS_TONE[m.status] ?? 'muted'),
            m.idMasked ?? '—',
            m.phoneMasked ?? '—',
            m.credentials.map((c) => `${codeLabel('credentialKind', c.kind)} ${c.masked}`).join('；') || '—',
            `${m.validFrom ?? '—'} ~ ${m.validTo ?? '—'}`,
          ],
        ),
      ),
    );
    fill(ledger, ...ledgerCards(f));
    fill(faces, faceOffersCard(f, canAct, reload));
    root.append(
      top,
      faces,
      ledger,
      ...(canAct ? [ledgerForms(f, ctx, reload)] : []),
      card(t('近期通行'), table(entryHeads(), f.recentEntries, entryCells, t('暂无数据'))),
      card(
        t('相关告警'),
        table(
          [t('时间'), t('类型'), t('级别'), t('状态'), t('次数')],
          f.alerts,
          (a) => [
            fmtTime(a.lastTime),
            h('a', { href: `#/alerts/${encodeURIComponent(a.id)}` }, codeLabel('alertKind', a.kind)),
            badge(codeLabel('severity', a.severity), severityTone(a.severity)),
            alertStateLabel(a.state),
            a.count,
          ],
          t('暂无数据'),
        ),
      ),
    );
    return undefined;
  },
};
