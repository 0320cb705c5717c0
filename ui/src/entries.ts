import { badge, h } from './dom.js';
import { codeLabel, credLabel, fmtTime, t } from './i18n.js';

/** One access record as /api/events and /api/live send it. */
export interface Entry {
  seq: number;
  time: string;
  readerId: string;
  doorId: string;
  doorName: string | null;
  direction: string;
  type: string;
  score: number | null;
  outcome: string;
  answer: string | null;
  reasons: string[];
  reasonLabels: string[];
  residentId: string | null;
  residentName: string | null;
  householdId: string | null;
  thumb: string | null;
  offline: boolean;
  stale: boolean;
}

/** A face thumbnail (or an empty frame when the read had none). */
export function thumb(path: string | null): HTMLElement {
  return path
    ? h('img', { class: 'thumb', src: `/api/${path}`, alt: '', loading: 'lazy', width: 48, height: 48 })
    : h('span', { class: 'thumb none' });
}

/** The table heads matching entryCells. */
export function entryHeads(): string[] {
  return [t('抓拍'), t('时间'), t('门'), t('方向'), t('凭证'), t('结果'), t('原因'), t('住户'), t('房屋')];
}

/** The cells of one entry row. */
export function entryCells(e: Entry): Array<Node | string> {
  return [
    thumb(e.thumb),
    fmtTime(e.time),
    e.doorName ?? e.doorId,
    t(e.direction === 'out' ? '外出' : '进入'),
    credLabel(e.type),
    badge(t(e.outcome === 'granted' ? '放行' : '拒绝'), e.outcome === 'granted' ? 'ok' : 'bad'),
    e.reasons.map((r, i) => codeLabel(r, e.reasonLabels[i] ?? r)).join('，'),
    e.residentName ?? '—',
    e.householdId
      ? h('a', { href: `#/households/${encodeURIComponent(e.householdId)}` }, e.householdId)
      : '—',
  ];
}
