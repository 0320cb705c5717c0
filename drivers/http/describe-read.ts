import type { CredentialRead, DoorSignal } from '../../core/contracts.js';
import type { Mapped } from './mapped.js';

/** One line of `estate-gateway decode` for a terminal capture. */
export type CaptureLine = Record<string, unknown>;

/** Card UIDs and QR tokens shown by their first four characters (output gets pasted into tickets). */
function mask(s: string): string {
  return s.length <= 4 ? '*'.repeat(s.length) : `${s.slice(0, 4)}${'*'.repeat(Math.min(8, s.length - 4))}`;
}

/** A read as JSON: the normalised credential, its identity and time; the picture by size only. */
export function describeRead(r: CredentialRead, unmasked: boolean): CaptureLine {
  const c = r.credential;
  const credential =
    c.type === 'card' && !unmasked
      ? { ...c, uid: mask(c.uid) }
      : c.type === 'qrcode' && !unmasked
        ? { ...c, token: mask(c.token) }
        : c;
  return {
    recordId: r.recordId,
    ts: new Date(r.ts).toISOString(),
    offline: r.offline,
    ...credential,
    ...(r.image ? { image: { mime: r.image.mime, bytes: r.image.data.length } } : {}),
  };
}

/** A door signal as JSON. */
export function describeDoor(s: DoorSignal): CaptureLine {
  return {
    door: s.kind,
    ...(s.recordId ? { recordId: s.recordId } : {}),
    ts: new Date(s.ts).toISOString(),
    offline: s.offline ?? false,
    ...(s.input !== undefined ? { input: s.input } : {}),
  };
}

/** Whatever a record became, as JSON: errors carry `error` (the decode command's exit code is then 1). */
export function describeMapped(m: Mapped, unmasked: boolean): CaptureLine {
  switch (m.kind) {
    case 'read':
      return describeRead(m.read, unmasked);
    case 'door':
      return describeDoor(m.signal);
    case 'note':
      return { note: m.name };
    case 'unknown':
      return { unknownCode: m.code, detail: 'not in the vendor table: counted by the driver, not a read' };
    case 'bad':
      return { error: m.reason, reason: m.detail };
  }
}
