import { api } from './api.js';
import type { DoorState, DoorStatesReply, FireState, UnlockReply } from './api-types.js';
import { badge, card, fill, h, table } from './dom.js';
import { codeLabel, fmtTime, t } from './i18n.js';

/**
 * The doors of the devices page (issue 13): each door's state — closed, open, held open,
 * forced, open by schedule, fire — live over the dashboard's event stream, remote unlock for
 * operators (a reason required; the server audits and limits it) and the fire all-open for
 * admins. Every text from the server goes in as text.
 */

const TONE: Record<string, 'ok' | 'bad' | 'warn' | 'muted' | 'info'> = {
  fire: 'bad',
  forced: 'bad',
  held: 'warn',
  passage: 'info',
  open: 'info',
  closed: 'ok',
  unknown: 'muted',
  no_contact: 'muted',
};

/** A door state as a coloured label. */
export function doorBadge(state: string): HTMLSpanElement {
  return badge(codeLabel('doorState', state), TONE[state] ?? 'muted');
}

/** What the doors panel may offer, by the account's role. */
export interface DoorsPanelOptions {
  canUnlock: boolean;
  canFire: boolean;
}

/** The doors panel: draws the doors, and follows the live stream until `close()`. */
export async function doorsPanel(root: HTMLElement, o: DoorsPanelOptions): Promise<() => void> {
  const first = await api<DoorStatesReply>('/api/doors/state');
  const doors = new Map(first.items.map((d) => [d.id, d]));
  let fire = first.fire;
  const body = h('div', { id: 'doors' });
  const fireBox = h('div', { id: 'fire-control' });
  const formSlot = h('div', { id: 'door-form-slot' });
  const message = h('p', { id: 'door-message', role: 'status' });
  root.append(card(t('门'), fireBox, body, formSlot, message));
  const say = (text: string, bad = false) => {
    fill(message, text);
    message.className = bad ? 'error' : 'notice';
  };

  const unlockForm = (d: DoorState) => {
    const reason = h('input', { name: 'reason', required: true, minlength: 2, maxlength: 200, size: 36 });
    const cancel = h('button', { type: 'button' }, t('取消'));
    const form = h(
      'form',
      { id: 'unlock-form', class: 'stack', 'data-door': d.id },
      h('strong', {}, `${t('远程开门')} · ${d.name}`),
      h('label', { class: 'field' }, h('span', {}, t('开门原因（必填，记入审计）')), reason),
      h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('开门')), cancel),
    );
    cancel.addEventListener('click', () => fill(formSlot));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const r = await api<UnlockReply>(`/api/doors/${encodeURIComponent(d.id)}/unlock`, {
          method: 'POST',
          body: { reason: reason.value.trim() },
        });
        fill(formSlot);
        say(`${t('已开门')}: ${d.name} (${Math.round(r.durationMs / 1000)} s)`);
      } catch (err) {
        say(`${t('请求失败')}: ${(err as Error).message}`, true);
      }
    });
    fill(formSlot, form);
    reason.focus();
  };

  const drawFire = () => {
    const state = fire.active
      ? badge(`${t('消防联动开门中')} ${fmtTime(fire.since)}`, 'bad')
      : badge(t('消防联动未触发'), 'ok');
    const button = o.canFire
      ? h(
          'button',
          { type: 'button', id: 'fire-toggle', class: fire.active ? '' : 'danger' },
          fire.active ? t('结束全部开门') : t('消防全部开门'),
        )
      : null;
    button?.addEventListener('click', () => fireForm(!fire.active));
    fill(fireBox, h('div', { class: 'buttons' }, state, button));
  };

  const fireForm = (active: boolean) => {
    const reason = h('input', { name: 'reason', required: true, minlength: 2, maxlength: 200, size: 36 });
    const cancel = h('button', { type: 'button' }, t('取消'));
    const form = h(
      'form',
      { id: 'fire-form', class: 'stack' },
      h('strong', {}, active ? t('消防全部开门') : t('结束全部开门')),
      h(
        'p',
        { class: 'notice' },
        active
          ? t('除配置为保持锁闭的门外，所有门将保持打开，直到结束。此操作记入审计并上报。')
          : t('消防输入仍有信号时无法结束。'),
      ),
      h('label', { class: 'field' }, h('span', {}, t('原因（必填，记入审计）')), reason),
      h(
        'div',
        { class: 'buttons' },
        h('button', { type: 'submit', class: active ? 'danger' : 'primary' }, t('确认')),
        cancel,
      ),
    );
    cancel.addEventListener('click', () => fill(formSlot));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        fire = await api<FireState>('/api/fire', {
          method: 'POST',
          body: { active, reason: reason.value.trim() },
        });
        fill(formSlot);
        drawFire();
      } catch (err) {
        say(`${t('请求失败')}: ${(err as Error).message}`, true);
      }
    });
    fill(formSlot, form);
    reason.focus();
  };

  const draw = () => {
    fill(
      body,
      table(
        [t('门'), t('状态'), t('门磁'), t('变化时间'), t('摄像机'), t('最近信号'), t('')],
        [...doors.values()],
        (d) => [
          d.name,
          h('span', { class: 'door-state', 'data-door': d.id, 'data-state': d.state }, doorBadge(d.state)),
          d.contact === null ? t('未配置') : codeLabel('doorState', d.contact),
          fmtTime(d.changedAt),
          d.camera ?? '—',
          d.lastSignal ? `${d.lastSignal.kind} · ${d.lastSignal.readerId}` : '—',
          o.canUnlock && d.canUnlock
            ? (() => {
                const b = h('button', { type: 'button', class: 'link', 'data-unlock': d.id }, t('远程开门'));
                b.addEventListener('click', () => unlockForm(d));
                return b;
              })()
            : '',
        ],
      ),
    );
  };
  drawFire();
  draw();

  const es = new EventSource('/api/live');
  es.addEventListener('door', (ev) => {
    const d = JSON.parse((ev as MessageEvent<string>).data) as DoorState;
    doors.set(d.id, d);
    draw();
  });
  es.addEventListener('fire', (ev) => {
    fire = JSON.parse((ev as MessageEvent<string>).data) as FireState;
    drawFire();
  });
  es.addEventListener('open', async () => {
    // Events missed while the stream was down: take the whole state again.
    const now = await api<DoorStatesReply>('/api/doors/state').catch(() => null);
    if (now) {
      for (const d of now.items) doors.set(d.id, d);
      fire = now.fire;
      drawFire();
      draw();
    }
    body.dataset.live = 'on';
  });
  return () => es.close();
}
