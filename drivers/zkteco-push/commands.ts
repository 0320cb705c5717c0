import { MAX_NAME } from './constants.js';

/**
 * The command side of iclock (protocols.md §4 "Commands", "Results"): what the gateway
 * queues for a terminal, as the lines it hands out on /iclock/getrequest (`C:<id>:<cmd>`:
 * a command without the prefix is silently dropped by the terminal), and the results it
 * posts back to /iclock/devicecmd.
 */

/** A name as USERINFO carries it: no tabs or line breaks (they end fields), at most 24 characters. */
export function fieldText(s: string | undefined): string {
  return [...(s ?? '').replace(/[\t\r\n=]/g, ' ').trim()].slice(0, MAX_NAME).join('');
}

/** The roster's hex card UID as the decimal number ZKTeco firmware stores; null past 32 bits. */
export function cardNumber(uid: string): string | null {
  if (!/^[0-9A-F]{1,8}$/.test(uid)) return null;
  return String(Number.parseInt(uid, 16));
}

/** `DATA UPDATE USERINFO`: the person, a normal user, with their first card the firmware can hold. */
export function userInfo(pin: string, name: string | undefined, cards: readonly string[] = []): string {
  const card = cards.map(cardNumber).find((c) => c !== null) ?? '';
  return `DATA UPDATE USERINFO PIN=${pin}\tName=${fieldText(name)}\tPrivilege=0\tCard=${card}`;
}

/** `DATA UPDATE BIOPHOTO`: the face photo (Type 9, visible light; Format 0, base64 content). */
export function bioPhoto(pin: string, jpeg: Buffer): string {
  const b64 = jpeg.toString('base64');
  return `DATA UPDATE BIOPHOTO PIN=${pin}\tType=9\tSize=${b64.length}\tContent=${b64}\tFormat=0`;
}

/** `DATA DELETE USERINFO`: the person and everything of theirs. */
export function deleteUser(pin: string): string {
  return `DATA DELETE USERINFO PIN=${pin}`;
}

/** `DATA QUERY USERINFO`: the terminal uploads every user as OPERLOG `USER` lines. */
export const QUERY_USERS = 'DATA QUERY USERINFO';

/** One result of /iclock/devicecmd. */
export interface CommandResult {
  id: number;
  ret: number;
  cmd: string;
}

/**
 * Parses a devicecmd body: one result a line (`ID=1&Return=0&CMD=DATA`), or one result in
 * key=value lines (`ID=32\nReturn=0\nCMD=Shell\nContent=…`, shell output). A new ID starts a
 * new result. Results without a numeric ID are dropped (returned as `bad`).
 */
export function parseResults(body: string): { results: CommandResult[]; bad: number } {
  const results: CommandResult[] = [];
  let bad = 0;
  let cur: { id: number | null; ret: number; cmd: string } | null = null;
  const flush = () => {
    if (cur && cur.id !== null) results.push({ id: cur.id, ret: cur.ret, cmd: cur.cmd });
    else if (cur) bad++;
    cur = null;
  };
  for (const part of body.replace(/\r/g, '').split(/[&\n]/)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim().toUpperCase();
    const value = part.slice(eq + 1).trim();
    if (key === 'ID') {
      flush();
      cur = { id: /^\d{1,15}$/.test(value) ? Number(value) : null, ret: Number.NaN, cmd: '' };
    } else if (cur && key === 'RETURN') cur.ret = /^-?\d{1,10}$/.test(value) ? Number(value) : Number.NaN;
    else if (cur && key === 'CMD') cur.cmd = value.slice(0, 32);
  }
  flush();
  // A result without a readable Return says nothing about its command: dropped, counted.
  const ok = results.filter((r) => !Number.isNaN(r.ret));
  return { results: ok, bad: bad + results.length - ok.length };
}

/** What getrequest's INFO= says: `Ver 8.0.4.2-20201010,12,1,5,192.168.1.201,…` (firmware, users, fingers, records, IP…). */
export interface DeviceInfo {
  firmware?: string;
  users?: number;
}

/** Parses INFO= (tolerant: a field that is no number is left out). */
export function parseInfo(info: string | null): DeviceInfo {
  if (!info) return {};
  const f = info.split(',');
  const out: DeviceInfo = {};
  const fw = f[0]?.trim();
  if (fw) out.firmware = fw.slice(0, 64);
  const users = f[1]?.trim();
  if (users && /^\d{1,7}$/.test(users)) out.users = Number(users);
  return out;
}
