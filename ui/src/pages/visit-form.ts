import { CASE_KINDS, codesOf } from '../../../core/codes.js';
import { api } from '../api.js';
import type { CampaignHouseholdDetail, VisitReply } from '../api-types.js';
import { field, fill, h, select } from '../dom.js';
import { codeLabel, t } from '../i18n.js';
import { todayShanghai } from '../ledger.js';
import { photoPicker } from '../upload.js';

const REACHED = new Set(['normal', 'violation_found']);

/** A row for a person the roster does not know: name, ID number (hashed by the gateway), relation. */
function unregisteredRow(n: number): { el: HTMLElement; value: () => Record<string, string> } {
  const name = h('input', { name: `u-name-${n}`, maxlength: 32, placeholder: t('姓名（可不填）') });
  const id = h('input', {
    name: `u-id-${n}`,
    maxlength: 20,
    placeholder: t('身份证号（可不填）'),
    inputmode: 'text',
  });
  const relation = h('input', { name: `u-relation-${n}`, maxlength: 32, placeholder: t('关系，如租客') });
  const remove = h('button', { type: 'button', class: 'link danger' }, t('移除'));
  const el = h('div', { class: 'unregistered', 'data-n': n }, name, id, relation, remove);
  remove.addEventListener('click', () => el.remove());
  return {
    el,
    value: () => {
      const o: Record<string, string> = {};
      if (name.value.trim()) o.name = name.value.trim();
      if (id.value.trim()) o.idNumber = id.value.trim();
      if (relation.value.trim()) o.relation = relation.value.trim();
      return o;
    },
  };
}

/**
 * The visit form of the full inspection: the result (big buttons), every registered person
 * present or absent ("不漏一人": the gateway refuses a reached visit that misses one), people
 * the roster does not know, the violation and its case, a revisit date, a note, photos from
 * the camera. `done` gets what the gateway recorded. The ID numbers typed are cleared once sent.
 */
export function visitForm(
  campaignId: string,
  hh: CampaignHouseholdDetail,
  user: string,
  done: (r: VisitReply) => void,
): HTMLElement {
  const error = h('p', { class: 'error', id: 'visit-error', role: 'alert', hidden: true });
  const results = codesOf('visitResult').map((r) =>
    h(
      'label',
      { class: `choice result-${r}` },
      h('input', { type: 'radio', name: 'result', value: r, required: true }),
      h('span', {}, codeLabel('visitResult', r)),
    ),
  );
  const persons = hh.residents.map((r) => {
    const radio = (check: 'present' | 'absent') =>
      h(
        'label',
        { class: 'choice small' },
        h('input', { type: 'radio', name: `p-${r.id}`, value: check, required: r.status === 'active' }),
        h('span', {}, codeLabel('personCheck', check)),
      );
    return {
      id: r.id,
      el: h(
        'div',
        { class: 'person', 'data-resident': r.id },
        h(
          'span',
          { class: 'person-name' },
          r.name,
          h('small', { class: 'muted' }, ` ${codeLabel('residentRole', r.role)}`),
          r.status !== 'active'
            ? h('small', { class: 'muted' }, ` · ${codeLabel('residentStatus', r.status)}`)
            : null,
        ),
        h('span', { class: 'choices' }, radio('present'), radio('absent')),
      ),
    };
  });
  const unregistered: Array<ReturnType<typeof unregisteredRow>> = [];
  const unregisteredBox = h('div', { class: 'unregistered-list' });
  const addPerson = h('button', { type: 'button', id: 'add-unregistered' }, `+ ${t('未登记人员')}`);
  addPerson.addEventListener('click', () => {
    const row = unregisteredRow(unregistered.length + 1);
    unregistered.push(row);
    unregisteredBox.append(row.el);
  });
  const peopleBox = h(
    'fieldset',
    { class: 'people', hidden: true },
    h('legend', {}, t('人员核查（不漏一人）')),
    ...persons.map((p) => p.el),
    unregisteredBox,
    addPerson,
  );
  const violation = select(
    'violation',
    CASE_KINDS.map((k): [string, string] => [k, codeLabel('caseKind', k)]),
  );
  const joinCase = select('caseId', [
    ['', t('新立案件')],
    ...hh.openCases.map((c): [string, string] => [c.id, `${t('并入')} ${c.label} ${c.id}`]),
  ]);
  const violationBox = h(
    'fieldset',
    { class: 'violation', hidden: true },
    field(t('违规类型'), violation),
    hh.openCases.length ? field(t('案件'), joinCase) : null,
  );
  const revisit = h('input', { type: 'date', name: 'revisitDue', min: todayShanghai() });
  const revisitBox = h(
    'fieldset',
    { class: 'revisit', hidden: true },
    field(t('复访日期（不填按默认）'), revisit),
  );
  const note = h('textarea', { name: 'note', maxlength: 2000, rows: 3 });
  const photos = photoPicker('photos', { label: t('现场照片') });
  const submit = h('button', { type: 'submit', class: 'primary block' }, t('提交走访记录'));
  const form = h(
    'form',
    { id: 'visit-form', class: 'visit-form' },
    h('div', { class: 'choices results' }, ...results),
    peopleBox,
    violationBox,
    revisitBox,
    field(t('情况说明'), note),
    photos.el,
    error,
    submit,
  );
  const result = () =>
    (form.querySelector('input[name=result]:checked') as HTMLInputElement | null)?.value ?? '';
  // A hidden section is disabled too: its required radios must not block the form (the
  // browser cannot point at a control it does not show), and it sends nothing.
  const show = (box: HTMLFieldSetElement, on: boolean) => {
    box.hidden = !on;
    box.disabled = !on;
  };
  const sync = () => {
    const r = result();
    show(peopleBox, REACHED.has(r));
    show(violationBox, r === 'violation_found');
    show(revisitBox, r === 'nobody_home' || r === 'refused');
  };
  form.addEventListener('change', sync);
  sync();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const r = result();
    if (photos.busy()) {
      error.hidden = false;
      fill(error, t('照片上传中，请稍候'));
      return;
    }
    const reached = REACHED.has(r);
    const checked = persons.flatMap((p) => {
      const v = (form.querySelector(`input[name="p-${p.id}"]:checked`) as HTMLInputElement | null)?.value;
      return v ? [{ residentId: p.id, check: v as 'present' | 'absent' }] : [];
    });
    const body = {
      householdId: hh.household.householdId,
      result: r,
      inspector: user,
      persons: reached ? checked : [],
      unregistered: reached ? unregistered.filter((u) => u.el.isConnected).map((u) => u.value()) : [],
      ...(r === 'violation_found'
        ? joinCase.value
          ? { caseId: joinCase.value }
          : { violation: violation.value }
        : {}),
      ...(note.value.trim() ? { note: note.value.trim() } : {}),
      ...(photos.ids().length ? { photos: photos.ids() } : {}),
      ...(!reached && revisit.value ? { revisitDue: revisit.value } : {}),
    };
    submit.disabled = true;
    try {
      const reply = await api<VisitReply>(`/api/campaigns/${encodeURIComponent(campaignId)}/visits`, {
        method: 'POST',
        body,
      });
      for (const u of unregistered) u.el.remove();
      done(reply);
    } catch (err) {
      error.hidden = false;
      fill(error, `${t('请求失败')}: ${(err as Error).message}`);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
