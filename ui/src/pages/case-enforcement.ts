import { codesOf } from '../../../core/codes.js';
import { api } from '../api.js';
import type { CaseDetail } from '../api-types.js';
import { card, field, h, select } from '../dom.js';
import { codeLabel, fmtTime, t } from '../i18n.js';
import { todayShanghai } from '../ledger.js';
import { photoLinks, photoPicker } from '../upload.js';

/**
 * The enforcement office's side of a case on its page (issue 16): where the hand-over goes —
 * another district's office when the tenant lives elsewhere (跨区移交) — and, once the office
 * reports back, its result with the reference number and document; recording it closes the case.
 */

/** The hand-over form's extra fields: cross-district and the office. `value()` is what the move sends. */
export function handoverFields(): { el: HTMLElement; value: () => { district?: string; office?: string } } {
  const cross = h('input', { type: 'checkbox', name: 'crossDistrict' });
  const district = select(
    'district',
    codesOf('district').map((d): [string, string] => [d, codeLabel('district', d)]),
  );
  const office = h('input', {
    name: 'office',
    maxlength: 100,
    size: 24,
    placeholder: t('如：闵行区城管执法局'),
  });
  const districtField = field(t('移交区'), district);
  districtField.hidden = true;
  cross.addEventListener('change', () => {
    districtField.hidden = !cross.checked;
  });
  return {
    el: h(
      'div',
      { class: 'handover-fields' },
      h('label', { class: 'check' }, cross, t('跨区移交（承租人在外区居住）')),
      districtField,
      field(t('接收单位'), office),
    ),
    value: () => ({
      ...(cross.checked ? { district: district.value } : {}),
      ...(office.value.trim() ? { office: office.value.trim() } : {}),
    }),
  };
}

/** The form of the office's feedback on a handed-over case; `done` gets the closed case. */
export function feedbackForm(
  c: CaseDetail,
  say: (m: string, bad?: boolean) => void,
  done: (c: CaseDetail) => void,
): HTMLElement {
  const received = h('input', {
    type: 'date',
    name: 'receivedDate',
    required: true,
    max: todayShanghai(),
    value: todayShanghai(),
  });
  const ref = h('input', { name: 'officeRef', required: true, maxlength: 64, size: 20 });
  const result = select(
    'result',
    codesOf('enforcementResult').map((r): [string, string] => [r, codeLabel('enforcementResult', r)]),
  );
  const note = h('textarea', { name: 'note', required: true, maxlength: 2000, rows: 3, cols: 36 });
  const doc = photoPicker('document', { max: 1, documents: true, label: t('反馈文书（照片或PDF）') });
  const form = h(
    'form',
    { id: 'feedback-form', class: 'stack' },
    h('strong', {}, t('登记城管反馈')),
    field(t('收到日期'), received),
    field(t('文号'), ref),
    field(t('处理结果'), result),
    field(t('说明'), note),
    doc.el,
    h('button', { type: 'submit', class: 'primary' }, t('登记并结案')),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (doc.busy()) return say(t('照片上传中，请稍候'), true);
    try {
      const after = await api<CaseDetail>(`/api/cases/${encodeURIComponent(c.id)}/feedback`, {
        method: 'POST',
        body: {
          receivedDate: received.value,
          officeRef: ref.value.trim(),
          result: result.value,
          note: note.value.trim(),
          ...(doc.ids()[0] ? { document: doc.ids()[0] } : {}),
        },
      });
      done(after);
      say(`${t('已完成')}: ${t('城管反馈')} — ${codeLabel('enforcementResult', result.value)}`);
    } catch (err) {
      say(`${t('请求失败')}: ${(err as Error).message}`, true);
    }
  });
  return form;
}

/** The hand-over and feedback as facts, or null before the hand-over. */
export function enforcementCard(c: CaseDetail): HTMLElement | null {
  const e = c.enforcement;
  if (!e) return null;
  const facts: Array<[string, Node | string]> = [
    ['移交时间', fmtTime(e.handedAt)],
    ['移交区', e.crossDistrict ? `${e.districtLabel}（${t('跨区')}）` : t('本区')],
    ['接收单位', e.office ?? '—'],
    ['处理结果', e.resultLabel ?? t('待反馈')],
    ['文号', e.officeRef ?? '—'],
    ['收到日期', e.receivedDate ?? '—'],
    ['说明', e.note ?? '—'],
    ['反馈文书', e.document ? photoLinks([e.document]) : '—'],
  ];
  return card(
    t('城管处理'),
    h(
      'dl',
      { class: 'facts', id: 'enforcement', 'data-result': e.result ?? '' },
      ...facts.flatMap(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)]),
    ),
  );
}
