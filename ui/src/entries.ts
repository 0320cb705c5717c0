import type { Alert, Entry } from './api-types.js';
import { badge, h, table } from './dom.js';
import { codeLabel, fmtTime, t } from './i18n.js';

/** Access records as tables show them (live, the household file). */

/** A face thumbnail (or an empty frame when the read had none). */
export function thumb(path: string | null): HTMLElement {
  return path
    ? h('img', { class: 'thumb', src: `/api/${path}`, alt: '', loading: 'lazy', width: 48, height: 48 })
    : h('span', { class: 'thumb none' });
}

/** The labels of an entry's reason codes, in the chosen language. */
export function reasonsText(reasons: readonly string[]): string {
  return reasons.map((r) => codeLabel('reason', r)).join('，');
}

/**
 * The reasons of an entry, with the door schedule that applied (issue 13) named after them:
 * an operator asking why a gate let someone through sees which schedule held it open.
 */
function scheduleNote(e: Entry): string {
  const sched = e.schedule?.split(':')[0];
  return sched ? `${reasonsText(e.reasons)}（${sched}）` : reasonsText(e.reasons);
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
    codeLabel('credentialKind', e.type),
    badge(t(e.outcome === 'granted' ? '放行' : '拒绝'), e.outcome === 'granted' ? 'ok' : 'bad'),
    scheduleNote(e),
    e.residentName ?? '—',
    e.householdId
      ? h('a', { href: `#/households/${encodeURIComponent(e.householdId)}` }, e.householdId)
      : '—',
  ];
}

/**
 * The entries an alert cites: thumbnail, time, reader, credential, score and the reasons as
 * labels (the codes stay on the cell, `data-codes`, for whoever needs them).
 */
export function evidenceTable(evidence: Alert['evidence']): HTMLElement {
  return table(
    [t('抓拍'), t('时间'), t('读头'), t('凭证'), t('分数'), t('原因')],
    evidence,
    (e) => [
      thumb(e.thumb),
      fmtTime(e.time),
      e.readerId,
      codeLabel('credentialKind', e.type),
      e.score === null ? '—' : e.score.toFixed(2),
      h('span', { class: 'reasons', 'data-codes': e.reasons.join(' ') }, reasonsText(e.reasons)),
    ],
    t('暂无数据'),
  );
}
