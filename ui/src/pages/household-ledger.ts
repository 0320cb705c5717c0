import { CASE_KINDS, codesOf } from '../../../core/codes.js';
import { api } from '../api.js';
import type { Created, HouseholdFile } from '../api-types.js';
import { badge, card, field, h, select, table } from '../dom.js';
import { codeLabel, fmtTime, t } from '../i18n.js';
import {
  caseLink,
  caseStateBadge,
  deadlineText,
  fromLocalInput,
  localInput,
  messageLine,
  passCredentials,
  passStatus,
  todayShanghai,
} from '../ledger.js';
import type { PageContext } from '../page.js';
import { photoLinks, photoPicker } from '../upload.js';

/** What the household file carries from the ledger (issue 4): passes, cases, patrol visits. */
export type HouseholdLedger = Pick<HouseholdFile, 'id' | 'buildingId' | 'passes' | 'cases' | 'patrols'>;

/** A "case opened" note with the link to the case. */
function opened(caseId: string): Node {
  return h(
    'span',
    {},
    `${t('已立案')}: `,
    h('a', { href: `#/cases/${encodeURIComponent(caseId)}`, id: 'opened-case' }, caseId),
  );
}

/** The form of a patrol visit (巡查); a violation found opens a case. */
function patrolForm(f: HouseholdLedger, ctx: PageContext, reload: () => Promise<void>): HTMLElement {
  const msg = messageLine('patrol-message');
  const date = h('input', {
    type: 'date',
    name: 'date',
    required: true,
    value: todayShanghai(),
    max: todayShanghai(),
  });
  const inspector = h('input', {
    name: 'inspector',
    required: true,
    maxlength: 64,
    size: 10,
    value: ctx.session.user,
  });
  const result = select(
    'result',
    codesOf('patrolResult').map((r): [string, string] => [r, codeLabel('patrolResult', r)]),
  );
  const violation = select(
    'violation',
    CASE_KINDS.map((k): [string, string] => [k, codeLabel('caseKind', k)]),
  );
  const violationField = field(t('违规类型'), violation);
  violationField.hidden = true;
  result.addEventListener('change', () => {
    violationField.hidden = result.value !== 'violation_found';
  });
  const note = h('textarea', { name: 'note', maxlength: 2000, rows: 2, cols: 30 });
  // Photos are uploads now (issue 16): re-encoded by the gateway without EXIF or GPS.
  const photos = photoPicker('photos');
  const form = h(
    'form',
    { id: 'patrol-form', class: 'filters' },
    field(t('巡查日期'), date),
    field(t('巡查人'), inspector),
    field(t('巡查结果'), result),
    violationField,
    field(t('备注'), note),
    photos.el,
    h('button', { type: 'submit', class: 'primary' }, t('记录巡查')),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (photos.busy()) return msg.say(t('照片上传中，请稍候'), true);
    try {
      const r = await api<Created>('/api/patrols', {
        method: 'POST',
        body: {
          date: date.value,
          inspector: inspector.value.trim(),
          householdId: f.id,
          result: result.value,
          ...(result.value === 'violation_found' ? { violation: violation.value } : {}),
          ...(note.value.trim() ? { note: note.value.trim() } : {}),
          ...(photos.ids().length ? { photos: photos.ids() } : {}),
        },
      });
      form.reset();
      photos.reset();
      violationField.hidden = true;
      await reload();
      msg.say(r.caseId ? h('span', {}, `${t('已记录')}；`, opened(r.caseId)) : t('已记录'));
    } catch (err) {
      msg.say(`${t('请求失败')}: ${(err as Error).message}`, true);
    }
  });
  return card(t('记录巡查'), form, msg.el);
}

/** The form of a tip or complaint (举报投诉): it opens a case at once. */
function tipForm(f: HouseholdLedger, reload: () => Promise<void>): HTMLElement {
  const msg = messageLine('tip-message');
  const channel = select(
    'channel',
    codesOf('tipChannel').map((c): [string, string] => [c, codeLabel('tipChannel', c)]),
  );
  const kind = select(
    'kind',
    CASE_KINDS.map((k): [string, string] => [k, codeLabel('caseKind', k)]),
  );
  const received = h('input', {
    type: 'datetime-local',
    name: 'receivedAt',
    required: true,
    value: localInput(Date.now()),
  });
  const content = h('textarea', { name: 'content', required: true, maxlength: 4000, rows: 2, cols: 36 });
  // The tipster, to thank or reward (issue 16): only admins read it back, retention removes it.
  const tipsterName = h('input', { name: 'tipsterName', maxlength: 32, size: 8 });
  const tipsterPhone = h('input', { name: 'tipsterPhone', maxlength: 20, size: 12, inputmode: 'tel' });
  const form = h(
    'form',
    { id: 'tip-form', class: 'filters' },
    field(t('举报渠道'), channel),
    field(t('举报类型'), kind),
    field(t('收到时间'), received),
    field(t('举报内容'), content),
    field(t('举报人（可不填）'), tipsterName),
    field(t('联系电话（可不填）'), tipsterPhone),
    h('button', { type: 'submit', class: 'primary' }, t('登记举报投诉')),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const r = await api<Created>('/api/tips', {
        method: 'POST',
        body: {
          channel: channel.value,
          kind: kind.value,
          householdId: f.id,
          receivedAt: fromLocalInput(received.value),
          content: content.value.trim(),
          ...(tipsterName.value.trim() || tipsterPhone.value.trim()
            ? {
                tipster: {
                  ...(tipsterName.value.trim() ? { name: tipsterName.value.trim() } : {}),
                  ...(tipsterPhone.value.trim() ? { phone: tipsterPhone.value.trim() } : {}),
                },
              }
            : {}),
        },
      });
      content.value = '';
      tipsterName.value = '';
      tipsterPhone.value = '';
      await reload();
      msg.say(r.caseId ? opened(r.caseId) : t('已记录'));
    } catch (err) {
      msg.say(`${t('请求失败')}: ${(err as Error).message}`, true);
    }
  });
  return card(t('登记举报投诉'), form, msg.el);
}

/** The ledger's cards of the household file: cases, visitor passes, patrol visits. */
export function ledgerCards(f: HouseholdLedger): HTMLElement[] {
  return [
    card(
      t('台账案件'),
      table(
        [t('编号'), t('类型'), t('来源'), t('状态'), t('发现时间'), t('整改期限')],
        f.cases,
        (c) => [
          h('a', { href: `#/cases/${encodeURIComponent(c.id)}` }, c.id),
          caseLink(c),
          codeLabel('caseSource', c.source),
          caseStateBadge(c),
          fmtTime(c.detectedTime),
          deadlineText(c),
        ],
        t('暂无数据'),
      ),
    ),
    card(
      t('访客通行证'),
      table(
        [t('类型'), t('姓名'), t('凭证'), t('有效期'), t('状态'), t('登记人')],
        f.passes,
        (p) => {
          const [text, tone] = passStatus(p);
          return [
            codeLabel('passKind', p.kind),
            h('span', { class: 'pass-name' }, p.name),
            passCredentials(p),
            `${fmtTime(p.validFrom)} ~ ${fmtTime(p.validTo)}`,
            badge(text, tone),
            p.createdBy,
          ];
        },
        t('暂无数据'),
      ),
    ),
    card(
      t('巡查记录'),
      table(
        [t('巡查日期'), t('巡查人'), t('巡查结果'), t('备注'), t('照片'), t('案件')],
        f.patrols,
        (p) => [
          p.date,
          p.inspector,
          badge(codeLabel('patrolResult', p.result), p.result === 'violation_found' ? 'bad' : 'muted'),
          p.note ?? '—',
          p.photos.length ? photoLinks(p.photos) : (p.photo ?? '—'),
          p.caseId ? h('a', { href: `#/cases/${encodeURIComponent(p.caseId)}` }, p.caseId) : '—',
        ],
        t('暂无数据'),
      ),
    ),
  ];
}

/** The forms of the household file (operators): a patrol visit, a tip or complaint. */
export function ledgerForms(f: HouseholdLedger, ctx: PageContext, reload: () => Promise<void>): HTMLElement {
  return h(
    'div',
    { class: 'row even', id: 'household-forms' },
    patrolForm(f, ctx, reload),
    tipForm(f, reload),
  );
}
