import type { Credential, DoorSignalKind, RejectReason } from '../../core/contracts.js';
import { DOOR_EVENTS, MAX_LINE, MAX_PHOTO_BYTES, VERIFY } from './constants.js';

/**
 * Pure parsing of what a ZKTeco terminal uploads to /iclock/cdata (protocols.md §4): ATTLOG
 * lines (tab-separated: PIN, time, status, verify, workcode…; the key=value form some
 * documents show is read too), rtlog lines of access-control firmware (key=value, with the
 * card number and door events), OPERLOG `USER` lines (its answer to DATA QUERY USERINFO)
 * and ATTPHOTO uploads. Total: every line gives a record or a problem, never an exception.
 */

/** One record of an upload. */
export type ZkRecord =
  | { kind: 'read'; recordId: string; ts: number; credential: Credential }
  | { kind: 'door'; recordId: string; ts: number; signal: DoorSignalKind; input?: number };

/** Why a line is not a record (a counter label and a detail for the log, never personal data). */
export interface LineProblem {
  line: number;
  reason: RejectReason;
  detail: string;
}

/** What one upload held: records, problems, and how many lines there were (the `OK: <n>`). */
export interface Upload {
  records: ZkRecord[];
  problems: LineProblem[];
  lines: number;
}

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** `YYYY-MM-DD HH:MM:SS` in the terminal's zone as epoch ms; null when it is no real time. */
export function parseLocal(s: string, zoneOffsetMs: number): number | null {
  const m = TIME_RE.exec(s.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const utc = Date.UTC(y, mo - 1, d, h, mi, se);
  const back = new Date(utc);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) return null;
  return utc - zoneOffsetMs;
}

/** A decimal card number (what ZKTeco firmware shows) as the roster's upper-case hex UID. */
export function cardUid(decimal: string): string | null {
  if (!/^\d{1,20}$/.test(decimal) || /^0+$/.test(decimal)) return null;
  const hex = BigInt(decimal).toString(16).toUpperCase();
  return hex.length > 32 ? null : hex.padStart(8, '0');
}

/** The credential a verify mode names for a PIN (and a card number when the line has one). */
function credentialOf(verify: number, pin: string, card: string | null): Credential | string {
  if (verify === VERIFY.face) return { type: 'face', personId: pin === '' ? null : pin, score: 1 };
  if (verify === VERIFY.finger) return { type: 'fingerprint', templateId: pin === '' ? null : pin };
  if ((VERIFY.card as readonly number[]).includes(verify)) {
    const uid = card ? cardUid(card) : null;
    return uid
      ? { type: 'card', uid }
      : 'card verify without a card number (ATTLOG carries none; rtlog does)';
  }
  if (verify === VERIFY.password) return 'password verify: nothing the gateway can check';
  return `verify mode ${verify} is not one the gateway reads`;
}

/** Splits a key=value line on tabs (or runs of spaces, as some documents print it). */
function kv(line: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of line.split(/\t| {2,}/)) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return out;
}

type LineResult = ZkRecord | { reason: RejectReason; detail: string };

/** Runs `parse` over every non-blank line (numbered from 1 in the body): records and problems. */
function collect(body: string, parse: (line: string, n: number) => LineResult): Upload {
  const out: Upload = { records: [], problems: [], lines: 0 };
  const lines = body.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trimEnd();
    if (line.trim() === '') continue;
    out.lines++;
    const r =
      line.length > MAX_LINE
        ? { reason: 'too_large' as const, detail: `line ${i + 1}: ${line.length} characters` }
        : parse(line, i + 1);
    if ('kind' in r) out.records.push(r);
    else out.problems.push({ line: i + 1, ...r });
  }
  return out;
}

/** Parses an ATTLOG upload. Record ids are derived (PIN, time, verify): a replay has the same. */
export function parseAttlog(body: string, zoneOffsetMs: number): Upload {
  return collect(body, (line, n) => {
    const fail = (detail: string): LineResult => ({
      reason: 'bad_field',
      detail: `ATTLOG line ${n}: ${detail}`,
    });
    let pin: string;
    let time: string;
    let verify: string;
    if (/^PIN=/i.test(line)) {
      const f = kv(line);
      pin = f.get('pin') ?? '';
      time = f.get('datetime') ?? f.get('time') ?? '';
      verify = f.get('verified') ?? f.get('verify') ?? '';
    } else {
      const f = line.split('\t').map((x) => x.trim());
      if (f.length < 2) return fail(`${f.length} field(s), PIN and time needed`);
      [pin, time] = [f[0] ?? '', f[1] ?? ''];
      verify = f[3] ?? '';
    }
    if (!/^[A-Za-z0-9_.:-]{1,24}$/.test(pin)) return fail('PIN is not one');
    const ts = parseLocal(time, zoneOffsetMs);
    if (ts === null) return fail('time must be YYYY-MM-DD HH:MM:SS');
    if (!/^\d{1,3}$/.test(verify)) return fail('verify mode must be a number');
    const cred = credentialOf(Number(verify), pin, null);
    if (typeof cred === 'string') return fail(cred);
    const stamp = time.replace(/\D/g, '');
    return { kind: 'read', recordId: `att-${pin}-${stamp}-${verify}`, ts, credential: cred };
  });
}

/** Parses an rtlog upload of access-control firmware (key=value lines with an index). */
export function parseRtlog(body: string, zoneOffsetMs: number): Upload {
  return collect(body, (line, n) => {
    const fail = (detail: string, reason: RejectReason = 'bad_field'): LineResult => ({
      reason,
      detail: `rtlog line ${n}: ${detail}`,
    });
    const f = kv(line.trim());
    const ts = parseLocal(f.get('time') ?? '', zoneOffsetMs);
    if (ts === null) return fail('time must be YYYY-MM-DD HH:MM:SS');
    const index = f.get('index') ?? '';
    const id = /^\d{1,20}$/.test(index) ? `rt-${index}` : null;
    const event = Number(f.get('event') ?? 'x');
    const door = DOOR_EVENTS[event];
    if (door) {
      const input = Number(f.get('eventaddr'));
      return {
        kind: 'door',
        recordId: id ?? `rt-${f.get('time')?.replace(/\D/g, '')}-${event}`,
        ts,
        signal: door,
        ...(Number.isInteger(input) && input > 0 ? { input } : {}),
      };
    }
    if (!id) return fail('index missing', 'missing_id');
    const pin = f.get('pin') ?? '';
    const verify = Number(f.get('verifytype') ?? 'x');
    if (!Number.isInteger(verify)) return fail('verifytype must be a number');
    const cred = credentialOf(verify, pin === '0' ? '' : pin, f.get('cardno') ?? null);
    if (typeof cred === 'string') return fail(cred);
    return { kind: 'read', recordId: id, ts, credential: cred };
  });
}

/**
 * The users of an OPERLOG upload's `USER PIN=…` lines (the answer to DATA QUERY USERINFO):
 * normal users' PINs, and the PINs of administrators (Pri/Privilege ≠ 0), whom the sync
 * never touches (the installer's account on the terminal).
 */
export function parseUsers(body: string): { pins: string[]; admins: string[]; other: number } {
  const pins: string[] = [];
  const admins: string[] = [];
  let other = 0;
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    const m = /^USER\s+(.*)$/.exec(line);
    const f = m ? kv(m[1] as string) : null;
    const pin = f?.get('pin');
    if (!f || !pin) {
      other++;
      continue;
    }
    const pri = f.get('pri') ?? f.get('privilege') ?? '0';
    (pri === '0' || pri === '' ? pins : admins).push(pin);
  }
  return { pins, admins, other };
}

/** An ATTPHOTO upload: the PIN and time its file name carries, and the JPEG. */
export interface AttPhoto {
  pin: string;
  ts: number;
  jpeg: Buffer;
}

/**
 * Parses an ATTPHOTO upload: `PIN=<YYYYMMDDhhmmss>-<pin>.jpg\nSN=…\nsize=…\nCMD=uploadphoto\n`
 * then the JPEG. A string says why it is not one.
 */
export function parseAttPhoto(body: Buffer, zoneOffsetMs: number): AttPhoto | string {
  const soi = body.indexOf(Buffer.from([0xff, 0xd8, 0xff]));
  if (soi < 0) return 'no JPEG in the upload';
  if (soi > 1024) return 'header longer than 1 KiB';
  const head = kv(
    body
      .subarray(0, soi)
      .toString('latin1')
      .replace(/\r?\n|\0/g, '\t'),
  );
  const name = head.get('pin') ?? '';
  const m = /^(\d{14})-([A-Za-z0-9_.:-]{1,24})\.jpg$/i.exec(name);
  if (!m) return 'PIN= must name the picture as <YYYYMMDDhhmmss>-<pin>.jpg';
  const s = m[1] as string;
  const ts = parseLocal(
    `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)} ${s.slice(8, 10)}:${s.slice(10, 12)}:${s.slice(12)}`,
    zoneOffsetMs,
  );
  if (ts === null) return 'the picture’s name carries no real time';
  const jpeg = body.subarray(soi);
  if (jpeg.length > MAX_PHOTO_BYTES) return `picture larger than ${MAX_PHOTO_BYTES >> 10} KiB`;
  return { pin: m[2] as string, ts, jpeg: Buffer.from(jpeg) };
}
