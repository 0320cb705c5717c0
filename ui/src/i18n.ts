import { type CaseState, type CodeGroup, isCode, type Label, type Lang, label } from '../../core/codes.js';
import { EN } from './phrases-en.js';

/**
 * The dashboard speaks Chinese first (zh-CN) with an English switch, remembered per browser.
 * Its own words are translated by phrases-en.ts; the labels of codes come from core/codes.ts,
 * the table the server labels its replies and CloudEvents with (issue 8).
 */
export type { Lang };

const KEY = 'eg.lang';

/** The chosen language: zh unless the user switched to English. */
export function lang(): Lang {
  return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh';
}

/** Switches the language and reloads the page in it. */
export function setLang(l: Lang): void {
  localStorage.setItem(KEY, l);
  location.reload();
}

/** Translates a Chinese UI string to the chosen language (the Chinese is the key). */
export function t(zh: string): string {
  return lang() === 'en' ? (EN[zh] ?? zh) : zh;
}

/** The label of a code in the chosen language; an unknown code reads as itself. */
export function codeLabel(group: CodeGroup, code: string): string {
  return label(group, code, lang());
}

/**
 * The label of an alert's state: its own (open, acknowledged, closed) or, for an alert whose
 * case moved on, the case's state (rectification_ordered, …) as the ledger says it.
 */
export function alertStateLabel(state: string): string {
  return codeLabel(isCode('alertState', state) ? 'alertState' : 'caseState', state);
}

/** The moves of a case as its buttons say them: the verb that reaches each state. */
const MOVES: Readonly<Record<Exclude<CaseState, 'open'>, Label>> = {
  acknowledged: { zh: '核实确认', en: 'Acknowledge' },
  dissuaded: { zh: '劝阻', en: 'Dissuaded' },
  rectification_ordered: { zh: '限期整改', en: 'Order rectification' },
  rectified: { zh: '整改完成', en: 'Mark rectified' },
  overdue: { zh: '标记逾期', en: 'Mark overdue' },
  handed_over: { zh: '移交城管', en: 'Hand over to enforcement' },
  closed: { zh: '结案', en: 'Close' },
};

/** The button text of the move to a state: `moveLabel('closed')` → 结案 / Close. */
export function moveLabel(to: string): string {
  return Object.hasOwn(MOVES, to) ? MOVES[to as keyof typeof MOVES][lang()] : to;
}

/** Date and time in the estate's zone (Asia/Shanghai), 24 h. */
export function fmtTime(iso: string | null, withDate = true): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const o: Intl.DateTimeFormatOptions = {
    timeZone: 'Asia/Shanghai',
    hour12: false,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  };
  if (withDate) Object.assign(o, { year: 'numeric', month: '2-digit', day: '2-digit' });
  return new Intl.DateTimeFormat(lang() === 'en' ? 'en-GB' : 'zh-CN', o).format(d);
}
