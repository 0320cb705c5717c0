import { api, qs } from './api.js';
import type { Case, HouseholdSearch, Pass } from './api-types.js';
import { badge, field, fill, h, select } from './dom.js';
import { codeLabel, fmtTime, t } from './i18n.js';

/**
 * The ledger as the pages see it: cases, passes, patrols (their types are the server's
 * response schemas, api-types.ts), and how to show their state.
 */

const DAY = 86_400_000;

/** A case whose rectification deadline passed (marked overdue, or not yet by the minute's check). */
export function isOverdue(c: Pick<Case, 'state' | 'deadline'>, now = Date.now()): boolean {
  return (
    c.state === 'overdue' ||
    (c.state === 'rectification_ordered' && c.deadline !== null && Date.parse(c.deadline) < now)
  );
}

/** A rectification due within three days. */
export function isDueSoon(c: Pick<Case, 'state' | 'deadline'>, now = Date.now()): boolean {
  return (
    c.state === 'rectification_ordered' &&
    c.deadline !== null &&
    Date.parse(c.deadline) >= now &&
    Date.parse(c.deadline) < now + 3 * DAY
  );
}

/** How long ago, in the largest whole unit: 3天 / 5小时 / 12分钟. */
export function age(iso: string, now = Date.now()): string {
  const ms = Math.max(0, now - Date.parse(iso));
  if (ms >= DAY) return `${Math.floor(ms / DAY)}${t('天')}`;
  if (ms >= 3600_000) return `${Math.floor(ms / 3600_000)}${t('小时')}`;
  return `${Math.floor(ms / 60_000)}${t('分钟')}`;
}

/** The deadline's date and what is left of it (剩2天) or by how much it passed (超期3天). */
export function deadlineText(c: Pick<Case, 'state' | 'deadline'>, now = Date.now()): string {
  if (!c.deadline) return '—';
  const date = fmtTime(c.deadline).slice(0, 10);
  if (!['rectification_ordered', 'overdue'].includes(c.state)) return date;
  const left = Date.parse(c.deadline) - now;
  const days = Math.ceil(Math.abs(left) / DAY);
  return left >= 0
    ? `${date}（${t('剩余')} ${days}${t('天')}）`
    : `${date}（${t('超期')} ${days}${t('天')}）`;
}

/** The tone of a case state's badge. */
export function stateTone(state: string): 'ok' | 'bad' | 'warn' | 'muted' | 'info' {
  if (state === 'overdue' || state === 'handed_over') return 'bad';
  if (state === 'open') return 'warn';
  if (state === 'closed' || state === 'rectified') return 'ok';
  return 'info';
}

/** A case state's badge. */
export function caseStateBadge(c: Pick<Case, 'state' | 'deadline'>): HTMLSpanElement {
  const b = badge(codeLabel('caseState', c.state), isOverdue(c) ? 'bad' : stateTone(c.state));
  b.dataset.state = c.state;
  return b;
}

/** Where a case is: "1号楼 0101", the building, or —. */
export function place(c: Case): string {
  if (c.room) return `${c.buildingName ?? c.buildingId ?? ''} ${c.room}`.trim();
  return c.buildingName ?? c.buildingId ?? '—';
}

/** A link to a case, its kind as the text. */
export function caseLink(c: Pick<Case, 'id' | 'kind'>): HTMLAnchorElement {
  return h(
    'a',
    { href: `#/cases/${encodeURIComponent(c.id)}`, class: 'case-link' },
    codeLabel('caseKind', c.kind),
  );
}

/** Whether a pass is valid now, ended, revoked or not yet valid — text and tone. */
export function passStatus(p: Pass, now = Date.now()): [string, 'ok' | 'bad' | 'muted' | 'warn'] {
  if (p.revokedAt && Date.parse(p.revokedAt) <= now) return [t('已撤销'), 'bad'];
  if (Date.parse(p.validTo) < now) return [t('已过期'), 'muted'];
  if (Date.parse(p.validFrom) > now) return [t('未生效'), 'warn'];
  return [t('有效'), 'ok'];
}

/** How a pass's holder is recognised: card ****F504, face, QR code, ID card. */
export function passCredentials(p: Pass): string {
  const out: string[] = [];
  if (p.cardUid) out.push(`${t('卡号')} ${p.cardUid}`);
  if (p.idMasked) out.push(`${t('身份证')} ${p.idMasked}`);
  if (p.hasFace) out.push(t('人脸'));
  if (p.token) out.push(`${t('二维码')} ${p.token}`);
  return out.join('；') || '—';
}

/** Today's date (YYYY-MM-DD) in Shanghai. */
export function todayShanghai(now = Date.now()): string {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 10);
}

/** A datetime-local value (Shanghai wall clock) of an instant. */
export function localInput(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 16);
}

/**
 * The instant of a datetime-local value read as Shanghai time. The value has seconds only
 * when the user typed them (HH:MM or HH:MM:SS); an unreadable one throws a RangeError.
 */
export function fromLocalInput(v: string): string {
  return new Date(`${v.length === 16 ? `${v}:00` : v}+08:00`).toISOString();
}

/**
 * Picks a household by building and room (what an operator knows: 1号楼 0101), or by its
 * id; `value()` is the household id or '' when nothing matched.
 */
export function householdPicker(buildings: Array<{ id: string; name: string }>, initial = '') {
  const building = select('building', [['', '—'], ...buildings.map((b): [string, string] => [b.id, b.name])]);
  const room = h('input', { name: 'room', maxlength: 16, size: 6 });
  const id = h('input', { name: 'householdId', maxlength: 64, size: 10, value: initial });
  const status = h('span', { class: 'muted pick-status' });
  let seq = 0;
  const lookup = async () => {
    const n = ++seq;
    if (!building.value || !room.value.trim()) return;
    const r = await api<HouseholdSearch>(
      `/api/households${qs({ building: building.value, room: room.value.trim(), limit: 20 })}`,
    );
    if (n !== seq) return;
    const hit = r.items.find((x) => x.room === room.value.trim());
    id.value = hit?.id ?? '';
    fill(status, hit ? `${t('已匹配')}: ${hit.id}` : t('未匹配到房屋'));
    status.className = hit ? 'muted pick-status' : 'error pick-status';
  };
  // A failed lookup says so beside the fields; it must not become an unhandled rejection.
  const run = () =>
    void lookup().catch((err: Error) => {
      fill(status, `${t('请求失败')}: ${err.message}`);
      status.className = 'error pick-status';
    });
  building.addEventListener('change', run);
  room.addEventListener('change', run);
  return {
    el: h(
      'div',
      { class: 'picker' },
      field(t('楼栋'), building),
      field(t('房号'), room),
      field(t('房屋编号'), id),
      status,
    ),
    value: () => id.value.trim(),
    set: (v: string) => {
      id.value = v;
    },
  };
}

/** A line that says what happened after a form was sent (role=status, so it is read out). */
export function messageLine(id: string): {
  el: HTMLElement;
  say: (text: string | Node, isError?: boolean) => void;
} {
  const el = h('p', { class: 'notice', id, role: 'status', hidden: true });
  return {
    el,
    say: (text, isError = false) => {
      fill(el, text);
      el.hidden = false;
      el.className = isError ? 'error' : 'notice ok-text';
    },
  };
}
