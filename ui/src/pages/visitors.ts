import { PASS_KINDS } from '../../../core/codes.js';
import { api, qs } from '../api.js';
import type { HouseholdSearch, Pass } from '../api-types.js';
import { badge, card, field, fill, h, select, table } from '../dom.js';
import { codeLabel, fmtTime, t } from '../i18n.js';
import {
  fromLocalInput,
  householdPicker,
  localInput,
  messageLine,
  passCredentials,
  passStatus,
} from '../ledger.js';
import type { Page } from '../page.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** The end of today in Shanghai (23:59), as a datetime-local value. */
function endOfToday(): string {
  return `${localInput(Date.now()).slice(0, 10)}T23:59`;
}

/** The two-step revoke of a pass: 撤销, then 确认撤销 (a slip of the mouse revokes nothing). */
function revokeButton(p: Pass, done: () => Promise<void>, say: (m: string, bad?: boolean) => void) {
  const b = h('button', { type: 'button', class: 'link revoke', 'data-pass': p.id }, t('撤销'));
  let armed = false;
  b.addEventListener('click', async () => {
    if (!armed) {
      armed = true;
      b.textContent = t('确认撤销');
      b.classList.add('danger');
      return;
    }
    try {
      await api(`/api/passes/${encodeURIComponent(p.id)}/revoke`, { method: 'POST' });
      say(`${t('已撤销')}: ${p.name}`);
      await done();
    } catch (err) {
      say(`${t('请求失败')}: ${(err as Error).message}`, true);
    }
  });
  return b;
}

/**
 * 访客: register a visitor pass (or a courier's or staff member's) for a household and a
 * validity window, list the passes valid now (or all), revoke one. The ID number and the
 * phone go to the server once: it keeps a keyed hash and a masked form, and the form
 * forgets them after sending. Viewers see the list, names masked, no QR codes.
 */
export const visitorsPage: Page = {
  id: 'visitors',
  route: /^visitors(?:\?(.*))?$/,
  nav: '访客',
  role: 'viewer',
  async render(root, ctx) {
    const q = new URLSearchParams(ctx.params[0] ?? '');
    const canAct = ctx.session.role !== 'viewer';
    const msg = messageLine('visitor-message');
    const all = h('input', { type: 'checkbox', name: 'all' });
    const list = h('div', { id: 'passes' });
    const load = async () => {
      const r = await api<{ items: Pass[] }>(
        `/api/passes${qs({ valid: all.checked ? 'all' : 'now', limit: 200 })}`,
      );
      const heads = ['类型', '姓名', '被访房屋', '凭证', '有效期', '状态', '登记人', '备注'];
      fill(
        list,
        table(
          [...heads.map(t), canAct ? t('处置') : ''],
          r.items,
          (p) => {
            const [text, tone] = passStatus(p);
            const live = tone === 'ok' || tone === 'warn';
            return [
              codeLabel('passKind', p.kind),
              h('span', { class: 'pass-name' }, p.name),
              p.householdId
                ? h('a', { href: `#/households/${encodeURIComponent(p.householdId)}` }, p.householdId)
                : '—',
              passCredentials(p),
              `${fmtTime(p.validFrom)} ~ ${fmtTime(p.validTo)}`,
              badge(text, tone),
              p.createdBy,
              p.note ?? '—',
              canAct && live ? revokeButton(p, load, msg.say) : '',
            ];
          },
          t('暂无数据'),
        ),
      );
      root.dataset.loaded = String(r.items.length);
    };
    all.addEventListener('change', () => void load());
    if (canAct) root.append(await passForm(q.get('household') ?? '', msg.say, load));
    root.append(
      msg.el,
      card(
        t('当前有效通行证'),
        h('div', { class: 'filters' }, h('label', { class: 'check' }, all, t('含已失效'))),
        list,
      ),
    );
    await load();
    return undefined;
  },
};

/** The form that registers a pass; `done` reloads the list. */
async function passForm(
  household: string,
  say: (m: string | Node, bad?: boolean) => void,
  done: () => Promise<void>,
): Promise<HTMLElement> {
  const { buildings } = await api<HouseholdSearch>('/api/households?limit=1');
  const kind = select(
    'kind',
    PASS_KINDS.map((k): [string, string] => [k, codeLabel('passKind', k)]),
  );
  const picker = householdPicker(buildings, household);
  const name = h('input', { name: 'name', required: true, maxlength: 64, size: 10 });
  const phone = h('input', { name: 'phone', type: 'tel', maxlength: 20, size: 12, autocomplete: 'off' });
  const idNumber = h('input', { name: 'idNumber', maxlength: 20, size: 20, autocomplete: 'off' });
  const cardUid = h('input', { name: 'cardUid', maxlength: 40, size: 12, autocomplete: 'off' });
  const face = h('input', { name: 'facePersonId', maxlength: 64, size: 10 });
  const qr = h('input', { type: 'checkbox', name: 'qr' });
  const from = h('input', {
    type: 'datetime-local',
    name: 'validFrom',
    required: true,
    value: localInput(Date.now()),
  });
  const to = h('input', { type: 'datetime-local', name: 'validTo', required: true, value: endOfToday() });
  const note = h('input', { name: 'note', maxlength: 500, size: 16 });
  const span = (label: string, value: () => string) => {
    const b = h('button', { type: 'button', class: 'link' }, t(label));
    b.addEventListener('click', () => {
      to.value = value();
    });
    return b;
  };
  const form = h(
    'form',
    { id: 'pass-form' },
    h(
      'div',
      { class: 'filters' },
      field(t('类型'), kind),
      picker.el,
      field(t('姓名'), name),
      field(t('手机号'), phone),
      field(t('身份证号'), idNumber),
      field(t('卡号'), cardUid),
      field(t('人脸终端编号'), face),
      h('label', { class: 'check' }, qr, t('生成二维码')),
    ),
    h(
      'div',
      { class: 'filters' },
      field(t('生效时间'), from),
      field(t('失效时间'), to),
      h(
        'span',
        { class: 'chips' },
        span('今日内', endOfToday),
        span('三天', () => localInput(Date.now() + 3 * DAY)),
        span('七天', () => localInput(Date.now() + 7 * DAY)),
        span('三十天', () => localInput(Date.now() + 30 * DAY)),
      ),
      field(t('备注'), note),
      h('button', { type: 'submit', class: 'primary' }, t('登记')),
    ),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = (i: HTMLInputElement) => i.value.trim();
    if (kind.value === 'visitor' && !picker.value()) return say(t('需填写被访房屋'), true);
    if (!v(idNumber) && !v(cardUid) && !v(face) && !qr.checked) return say(t('需至少一种识别方式'), true);
    let body: Record<string, unknown>;
    try {
      body = {
        kind: kind.value,
        name: v(name),
        validFrom: fromLocalInput(from.value),
        validTo: fromLocalInput(to.value),
      };
    } catch {
      return say(`${t('生效时间')} / ${t('失效时间')}?`, true);
    }
    if (picker.value()) body.householdId = picker.value();
    for (const [key, input] of [
      ['phone', phone],
      ['idNumber', idNumber],
      ['cardUid', cardUid],
      ['facePersonId', face],
      ['note', note],
    ] as const)
      if (v(input)) body[key] = v(input);
    if (qr.checked) body.qr = true;
    try {
      const p = await api<Pass>('/api/passes', { method: 'POST', body });
      // The numbers were sent once; the page does not keep them.
      for (const i of [name, phone, idNumber, cardUid, face, note]) i.value = '';
      qr.checked = false;
      say(
        h(
          'span',
          {},
          `${t('已登记')}: ${p.name} · ${passCredentials(p)} · ${fmtTime(p.validTo)}`,
          p.token ? h('code', { id: 'pass-token' }, ` ${p.token}`) : null,
        ),
      );
      await done();
    } catch (err) {
      say(`${t('请求失败')}: ${(err as Error).message}`, true);
    }
  });
  return card(t('登记访客'), form);
}
