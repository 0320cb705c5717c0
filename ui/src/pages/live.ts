import { api, qs } from '../api.js';
import type { Door, Entry } from '../api-types.js';
import { badge, card, field, fill, h, select, table } from '../dom.js';
import { entryCells, entryHeads } from '../entries.js';
import { t } from '../i18n.js';
import type { Page } from '../page.js';

/** Rows kept on screen; older ones scroll away. */
const MAX_ROWS = 200;

/** 实时通行: entries as they happen (Server-Sent Events), filtered by building, door and decision. */
export const livePage: Page = {
  id: 'live',
  route: /^live$/,
  nav: '实时通行',
  role: 'viewer',
  async render(root) {
    const { items: doors } = await api<{ items: Door[] }>('/api/doors');
    const buildings = [...new Set(doors.map((d) => d.building).filter((b): b is string => !!b))].sort();
    const fBuilding = select('building', [
      ['', t('全部')],
      ...buildings.map((b): [string, string] => [b, b]),
    ]);
    const fDoor = select('door', [['', t('全部')], ...doors.map((d): [string, string] => [d.id, d.name])]);
    const fDecision = select('decision', [
      ['', t('全部')],
      ['granted', t('放行')],
      ['denied', t('拒绝')],
    ]);
    const status = badge(t('连接中'), 'muted');
    status.id = 'live-status';
    const body = h('div', { id: 'live-rows' });
    root.append(
      h(
        'div',
        { class: 'filters' },
        field(t('楼栋'), fBuilding),
        field(t('门'), fDoor),
        field(t('结果'), fDecision),
        status,
      ),
      card(null, body),
    );
    const doorBuilding = new Map(doors.map((d) => [d.id, d.building]));
    let rows: Entry[] = [];
    let received = 0;
    const matches = (e: Entry) =>
      (!fBuilding.value || doorBuilding.get(e.doorId) === fBuilding.value) &&
      (!fDoor.value || e.doorId === fDoor.value) &&
      (!fDecision.value || e.outcome === fDecision.value);
    const draw = () => fill(body, table(entryHeads(), rows.filter(matches), entryCells, t('暂无数据')));
    const reload = async () => {
      const r = await api<{ items: Entry[] }>(
        `/api/events${qs({ limit: 100, door: fDoor.value, outcome: fDecision.value })}`,
      );
      rows = r.items;
      draw();
    };
    for (const f of [fBuilding, fDoor, fDecision]) f.addEventListener('change', () => void reload());
    await reload();

    const es = new EventSource('/api/live');
    es.addEventListener('open', () => {
      fill(status, t('已连接'));
      status.className = 'badge ok';
    });
    es.addEventListener('error', () => {
      fill(status, t('连接中'));
      status.className = 'badge muted';
    });
    es.addEventListener('entry', (ev) => {
      const e = JSON.parse((ev as MessageEvent<string>).data) as Entry;
      if (rows.some((r) => r.seq === e.seq)) return;
      received++;
      body.dataset.received = String(received);
      rows.unshift(e);
      if (rows.length > MAX_ROWS) rows.length = MAX_ROWS;
      if (matches(e)) draw();
    });
    return () => es.close();
  },
};
