/**
 * Card UIDs arrive as 04A1B2C3, 04:a1:b2:c3, 0x04a1b2c3 or with spaces, depending on the
 * reader and on who typed the roster. One normal form — upper-case hex, no separators —
 * so that the reader's UID and the roster's UID compare equal. Null if it is not hex.
 */
export function normalizeCardUid(raw: string): string | null {
  const s = raw
    .trim()
    .replace(/^0x/i, '')
    .replace(/[\s:-]/g, '')
    .toUpperCase();
  return /^[0-9A-F]{4,32}$/.test(s) ? s : null;
}
