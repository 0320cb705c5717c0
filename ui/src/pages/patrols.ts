import { CASE_KINDS, codesOf } from '../../../core/codes.js';
import { api, qs } from '../api.js';
import type { Created, LinkReply, PatrolRow, PatrolsReply, SuggestReply } from '../api-types.js';
import { badge, card, field, fill, h, select, table } from '../dom.js';
import { codeLabel, t } from '../i18n.js';
import { messageLine, todayShanghai } from '../ledger.js';
import type { Page } from '../page.js';
import { photoLinks, photoPicker } from '../upload.js';

/** The households a listing's words may be about, each a button that picks it. */
function suggestions(pick: (householdId: string, label: string) => void) {
  const box = h('div', { class: 'suggestions', id: 'suggestions' });
  let seq = 0;
  const look = async (text: string) => {
    const n = ++seq;
    if (!text.trim()) return fill(box);
    const r = await api<SuggestReply>(`/api/patrols/suggestions${qs({ text: text.slice(0, 2000) })}`);
    if (n !== seq) return;
    fill(
      box,
      r.items.length
        ? h('span', { class: 'muted' }, `${t('可能的房屋')}: `)
        : h('span', { class: 'muted' }, t('未识别出房屋')),
      ...r.items.map((s) => {
        const label = `${s.buildingName ?? s.buildingId} ${s.room}`;
        const b = h(
          'button',
          { type: 'button', class: 'chip pick', 'data-household': s.householdId, title: s.why.join(' ') },
          label,
        );
        b.addEventListener('click', () => pick(s.householdId, label));
        return b;
      }),
    );
  };
  return { el: box, look: (text: string) => void look(text).catch(() => fill(box)) };
}

/** What a patrol looked at, in a line. */
function targetText(p: PatrolRow): Node | string {
  const x = p.target;
  if (!x) return '—';
  if (x.kind === 'agency') return `${x.name ?? ''}（${x.address ?? ''}）`;
  const safe = x.url && /^https?:\/\//.test(x.url) ? x.url : null;
  return h(
    'span',
    {},
    `${codeLabel('listingPlatform', x.platform ?? 'other')} ${x.listingId ?? ''} `,
    x.price ? `¥${x.price}/${t('月')} ` : '',
    safe ? h('a', { href: safe, target: '_blank', rel: 'noopener noreferrer' }, t('原链接')) : null,
  );
}

/**
 * 巡查经纪门店、网络平台 (issue 16): a patrol of an estate agency or an online listing. A
 * violation opens a case with the listing as evidence; the gateway suggests households from
 * the listing's words and the operator picks one — now, or later from the list.
 */
export const patrolsPage: Page = {
  id: 'patrols',
  route: /^patrols$/,
  nav: '门店房源巡查',
  role: 'viewer',
  async render(root, ctx) {
    const canAct = ctx.session.role !== 'viewer';
    const msg = messageLine('patrol-message');
    const list = h('div', { id: 'target-patrols' });
    const load = async () => {
      const [agencies, listings] = await Promise.all([
        api<PatrolsReply>('/api/patrols?target=agency'),
        api<PatrolsReply>('/api/patrols?target=listing'),
      ]);
      const items = [...listings.items, ...agencies.items].sort((a, b) => b.created_at - a.created_at);
      const tbl = table(
        [t('巡查日期'), t('类型'), t('对象'), t('巡查结果'), t('房屋'), t('案件'), t('照片'), ''],
        items,
        (p) => [
          p.date,
          codeLabel('patrolTarget', p.target?.kind ?? 'household'),
          targetText(p),
          badge(codeLabel('patrolResult', p.result), p.result === 'violation_found' ? 'bad' : 'muted'),
          p.household_id
            ? h('a', { href: `#/households/${encodeURIComponent(p.household_id)}` }, p.household_id)
            : '—',
          p.case_id
            ? h('a', { href: `#/cases/${encodeURIComponent(p.case_id)}`, class: 'case-link' }, p.case_id)
            : '—',
          photoLinks(p.photos),
          canAct && !p.household_id && p.case_id ? linkButton(p, load, msg.say) : '',
        ],
        t('暂无数据'),
      );
      items.forEach((p, i) => {
        const tr = tbl.tBodies[0]?.rows[i];
        if (tr) tr.dataset.patrol = p.id;
      });
      fill(list, tbl);
      root.dataset.loaded = String(items.length);
    };
    root.append(
      h('div', { class: 'head' }, h('h1', {}, t('经纪门店、网络平台巡查'))),
      msg.el,
      ...(canAct ? [targetForm(ctx.session.user, msg.say, load)] : []),
      card(t('巡查记录'), list),
    );
    await load();
    return undefined;
  },
};

/** Ties an unlinked finding to a household: type the words again or pick from suggestions. */
function linkButton(p: PatrolRow, done: () => Promise<void>, say: (m: string | Node, bad?: boolean) => void) {
  const b = h('button', { type: 'button', class: 'link', 'data-link': p.id }, t('关联房屋'));
  b.addEventListener('click', () => {
    const link = async (householdId: string, label: string) => {
      try {
        await api<LinkReply>(`/api/patrols/${encodeURIComponent(p.id)}/household`, {
          method: 'POST',
          body: { householdId },
        });
        say(`${t('已关联')}: ${label}`);
        await done();
      } catch (err) {
        say(`${t('请求失败')}: ${(err as Error).message}`, true);
      }
    };
    const sug = suggestions((householdId, label) => void link(householdId, label));
    b.replaceWith(sug.el);
    sug.look(p.target?.text ?? '');
  });
  return b;
}

/** The form: agency or listing, what was found, the screenshot, the household if known. */
function targetForm(
  user: string,
  say: (m: string | Node, bad?: boolean) => void,
  reload: () => Promise<void>,
) {
  const kind = select('kind', [
    ['listing', codeLabel('patrolTarget', 'listing')],
    ['agency', codeLabel('patrolTarget', 'agency')],
  ]);
  const platform = select(
    'platform',
    codesOf('listingPlatform').map((p): [string, string] => [p, codeLabel('listingPlatform', p)]),
  );
  const url = h('input', { name: 'url', type: 'url', maxlength: 500, size: 36, placeholder: 'https://' });
  const listingId = h('input', { name: 'listingId', maxlength: 64, size: 12 });
  const price = h('input', { name: 'price', type: 'number', min: 0, max: 1000000, size: 8 });
  const text = h('textarea', {
    name: 'text',
    maxlength: 2000,
    rows: 2,
    cols: 40,
    placeholder: t('粘贴房源标题和描述'),
  });
  const agency = h('input', { name: 'agency', maxlength: 100, size: 20 });
  const address = h('input', { name: 'address', maxlength: 200, size: 28 });
  const result = select('result', [
    ['violation_found', codeLabel('patrolResult', 'violation_found')],
    ['normal', codeLabel('patrolResult', 'normal')],
  ]);
  const violation = select(
    'violation',
    CASE_KINDS.map((k): [string, string] => [k, codeLabel('caseKind', k)]),
    'listed_for_rent',
  );
  const note = h('textarea', { name: 'note', maxlength: 2000, rows: 2, cols: 40 });
  const household = h('input', { name: 'householdId', maxlength: 64, size: 10, readonly: true });
  const picked = h('span', { class: 'muted', id: 'picked-household' });
  const sug = suggestions((id, label) => {
    household.value = id;
    fill(picked, `${t('已选')}: ${label}`);
  });
  text.addEventListener('change', () => sug.look(text.value));
  const shots = photoPicker('photos', { label: t('截图/照片') });
  const listingFields = h(
    'div',
    { class: 'filters' },
    field(t('平台'), platform),
    field(t('链接'), url),
    field(t('房源编号'), listingId),
    field(t('租金（元/月）'), price),
    field(t('房源内容'), text),
  );
  const agencyFields = h(
    'div',
    { class: 'filters', hidden: true },
    field(t('门店名称'), agency),
    field(t('门店地址'), address),
  );
  kind.addEventListener('change', () => {
    listingFields.hidden = kind.value !== 'listing';
    agencyFields.hidden = kind.value !== 'agency';
    violation.value = kind.value === 'listing' ? 'listed_for_rent' : 'agency_listing';
  });
  const form = h(
    'form',
    { id: 'target-form' },
    h(
      'div',
      { class: 'filters' },
      field(t('巡查对象'), kind),
      field(t('巡查结果'), result),
      field(t('违规类型'), violation),
    ),
    listingFields,
    agencyFields,
    sug.el,
    h('div', { class: 'filters' }, field(t('房屋编号'), household), picked, field(t('备注'), note)),
    shots.el,
    h('button', { type: 'submit', class: 'primary' }, t('记录巡查')),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (shots.busy()) return say(t('照片上传中，请稍候'), true);
    const target =
      kind.value === 'listing'
        ? {
            kind: 'listing',
            platform: platform.value,
            url: url.value.trim(),
            ...(listingId.value.trim() ? { listingId: listingId.value.trim() } : {}),
            ...(price.value ? { price: Number(price.value) } : {}),
            ...(text.value.trim() ? { text: text.value.trim() } : {}),
          }
        : { kind: 'agency', name: agency.value.trim(), address: address.value.trim() };
    try {
      const r = await api<Created>('/api/patrols', {
        method: 'POST',
        body: {
          date: todayShanghai(),
          inspector: user,
          result: result.value,
          target,
          ...(result.value === 'violation_found' ? { violation: violation.value } : {}),
          ...(household.value ? { householdId: household.value } : {}),
          ...(note.value.trim() ? { note: note.value.trim() } : {}),
          ...(shots.ids().length ? { photos: shots.ids() } : {}),
        },
      });
      form.reset();
      shots.reset();
      fill(picked);
      await reload();
      say(
        r.caseId
          ? h(
              'span',
              {},
              `${t('已记录')}；${t('已立案')}: `,
              h('a', { href: `#/cases/${encodeURIComponent(r.caseId)}`, id: 'opened-case' }, r.caseId),
            )
          : t('已记录'),
      );
    } catch (err) {
      say(`${t('请求失败')}: ${(err as Error).message}`, true);
    }
  });
  return card(t('记录门店/房源巡查'), form);
}
