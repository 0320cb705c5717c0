import { maskIdNumber, maskName, maskPhone } from '../../core/id-number.js';

/**
 * Masking of free text for viewer accounts (issue 9 item 9): patrol notes, case summaries,
 * timeline notes are typed by operators and may carry what the rest of the API only ever
 * shows masked. Masked here: ID numbers (18 and 15 digits: 310***********1234), mobile
 * and fixed-line phone numbers (138****5678), and the names of the people the text is
 * about (the household's registered members: 张伟 → 张*). A name that no record knows
 * (a visitor named in a note) cannot be told from other words and is left; docs/privacy.md
 * says so.
 */

/** 18-character resident ID numbers and the old 15-digit ones, not inside longer digit runs. */
const ID_RE = /(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])/g;
/** Mainland mobiles (optionally +86), and fixed lines with an area code (021-12345678). */
const PHONE_RE = /(?<!\d)((?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}|0\d{2,3}-?\d{7,8})(?!\d)/g;

/** The text with ID numbers, phone numbers and the given names masked. */
export function maskText(text: string, names: readonly string[] = []): string {
  let out = text.replace(ID_RE, (m) => maskIdNumber(m)).replace(PHONE_RE, (m) => maskPhone(m));
  // Longest first, so 欧阳娜娜 is masked whole before a shorter name inside it.
  for (const n of [...new Set(names)].filter((x) => [...x].length >= 2).sort((a, b) => b.length - a.length))
    out = out.split(n).join(maskName(n));
  return out;
}

/** maskText for a nullable field. */
export function maskNullable(text: string | null, names: readonly string[] = []): string | null {
  return text === null ? null : maskText(text, names);
}
