/**
 * Reader protocol v1 over MQTT (design.md §5, normative) as a terminal speaks it. Written
 * from the spec, not imported from the gateway's driver: the simulator stands for
 * third-party hardware, so a driver that drifts from the spec fails against it.
 */
import { isoShanghai } from './dates.js';

/** Default topic prefix (§5). */
export const DEFAULT_TOPIC_PREFIX = 'acs/v1';
/** Firmware string the simulated terminals announce in their status. */
export const SIM_FIRMWARE = 'sim-1.0';

/** The four topics of one reader (§5 table). */
export interface ReaderTopics {
  events: string;
  commands: string;
  status: string;
  persons: string;
  /** Where the terminal answers face-library operations (docs/protocol-v1.md, issue 11). */
  personsAck: string;
}

/** Topics of reader `readerId` under `prefix`. */
export function readerTopics(prefix: string, readerId: string): ReaderTopics {
  const base = `${prefix}/readers/${readerId}`;
  return {
    events: `${base}/events`,
    commands: `${base}/commands`,
    status: `${base}/status`,
    persons: `${base}/persons`,
    personsAck: `${base}/persons/ack`,
  };
}

/**
 * A credential as it travels in an event: `type` and the one object it names (§5). A face
 * embedding is already base64 (see encodeEmbedding); personId null is a stranger.
 */
export type TerminalCredential =
  | {
      type: 'face';
      face: { personId: string | null; score: number; liveness?: boolean; embedding?: string };
    }
  | { type: 'card'; card: { uid: string } }
  | { type: 'idcard'; idcard: { number: string; name?: string; validUntil?: string } }
  | { type: 'fingerprint'; fingerprint: { templateId: string | null; score?: number } }
  | { type: 'qrcode'; qrcode: { token: string } };

/** A door command as the gateway sends it (§5). */
export interface TerminalCommand {
  id: string;
  /** The credential event's id it answers. */
  event: string;
  action: 'unlock' | 'deny';
  durationMs?: number;
  message?: string;
}

/** The JSON text of a credential event; `ts` is the terminal's clock in epoch ms. */
export function encodeEvent(e: {
  id: string;
  ts: number;
  cred: TerminalCredential;
  image?: Buffer | undefined;
  offline?: boolean;
}): string {
  const body: Record<string, unknown> = { id: e.id, ts: isoShanghai(e.ts), ...e.cred };
  if (e.image) body.image = { mime: 'image/jpeg', data: e.image.toString('base64') };
  if (e.offline) body.offline = true;
  return JSON.stringify(body);
}

/** The JSON text of a status message; without `ts` it is the will: `{"online":false}` alone. */
export function encodeStatus(online: boolean, ts?: number): string {
  return JSON.stringify(
    ts === undefined ? { online } : { online, ts: isoShanghai(ts), firmware: SIM_FIRMWARE },
  );
}

/** Parses a door command; null for anything that is not one (a terminal ignores junk). */
export function parseCommand(payload: Buffer): TerminalCommand | null {
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object') return null;
  const c = v as Record<string, unknown>;
  if (typeof c.event !== 'string' || (c.action !== 'unlock' && c.action !== 'deny')) return null;
  const cmd: TerminalCommand = { id: typeof c.id === 'string' ? c.id : '', event: c.event, action: c.action };
  if (typeof c.durationMs === 'number') cmd.durationMs = c.durationMs;
  if (typeof c.message === 'string') cmd.message = c.message;
  return cmd;
}

/** A face-library operation as the gateway sends it on `persons` (docs/protocol-v1.md). */
export type PersonsOperation =
  | {
      id: string;
      op: 'upsert';
      personId: string;
      name: string | null;
      validFrom: string | null;
      validTo: string | null;
      temporary: boolean;
      cards: string[];
      photo?: { mime: string; data: string };
    }
  | { id: string; op: 'delete'; personId: string }
  | { id: string; op: 'list' }
  | { id: string; op: string };

/** Parses an operation; null for anything that is not one (a terminal ignores junk). */
export function parsePersonsOp(payload: Buffer): PersonsOperation | null {
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  if (typeof o.id !== 'string' || typeof o.op !== 'string') return null;
  if ((o.op === 'upsert' || o.op === 'delete') && typeof o.personId !== 'string') return null;
  return o as unknown as PersonsOperation;
}

/** The JSON text of an ack: done (with the person ids for `list`), or refused with a code. */
export function encodePersonsAck(
  id: string,
  r: { ok: true; personIds?: string[] } | { ok: false; code: string; message: string },
): string {
  return JSON.stringify({ id, ...r });
}
