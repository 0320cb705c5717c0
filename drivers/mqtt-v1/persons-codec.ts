import type { LibraryEntry } from '../../core/provisioning.js';
import { LOCAL_OFFSET_MS } from '../../core/time.js';

/**
 * The `persons` topic of reader protocol v1 (design.md §5, documented in
 * docs/protocol-v1.md): the gateway keeps a terminal's face library in step with the
 * roster by operations on `{prefix}/readers/{reader}/persons`, and the terminal answers
 * each on `{prefix}/readers/{reader}/persons/ack`. Additive to v1: only readers configured
 * with `options.persons: true` receive operations.
 */

/** The ack topic, relative to `{prefix}/readers/{reader}/`. */
export const PERSONS_ACK = 'persons/ack';
/** Largest ack accepted (a list of ten thousand person ids fits). */
export const MAX_ACK_BYTES = 512 * 1024;

/** One operation to a terminal. */
export type PersonsOp =
  | { id: string; op: 'upsert'; entry: LibraryEntry }
  | { id: string; op: 'delete'; personId: string }
  | { id: string; op: 'list' };

/** A terminal's answer to one operation. */
export type PersonsAck =
  | { id: string; ok: true; personIds?: string[] }
  | { id: string; ok: false; code: string; message: string };

/** ISO 8601 in the estate's zone (+08:00), as v1 writes times. */
function isoLocal(ms: number): string {
  return `${new Date(ms + LOCAL_OFFSET_MS).toISOString().slice(0, 19)}+08:00`;
}

/** The JSON text of an operation. */
export function encodeOp(o: PersonsOp): string {
  if (o.op === 'delete') return JSON.stringify({ id: o.id, op: 'delete', personId: o.personId });
  if (o.op === 'list') return JSON.stringify({ id: o.id, op: 'list' });
  const e = o.entry;
  const body: Record<string, unknown> = {
    id: o.id,
    op: 'upsert',
    personId: e.key,
    name: e.name ?? null,
    validFrom: e.validFrom ? isoLocal(e.validFrom) : null,
    validTo: e.validTo ? isoLocal(e.validTo) : null,
    temporary: e.temporary === true,
    cards: [...(e.cards ?? [])],
  };
  if (e.photo) body.photo = { mime: e.photo.mime, data: e.photo.data.toString('base64') };
  return JSON.stringify(body);
}

/** Parses an ack; a string says why it is not one (counted and logged by the driver). */
export function parseAck(payload: Buffer): PersonsAck | string {
  if (payload.length > MAX_ACK_BYTES) return `ack of ${payload.length} bytes > ${MAX_ACK_BYTES}`;
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch {
    return 'ack is not JSON';
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'ack must be an object';
  const a = v as Record<string, unknown>;
  if (typeof a.id !== 'string' || a.id.length === 0 || a.id.length > 128) return 'ack id must be a string';
  if (typeof a.ok !== 'boolean') return 'ack ok must be true or false';
  if (!a.ok) {
    const code =
      typeof a.code === 'string' && /^[a-z][a-z0-9_]{0,63}$/.test(a.code) ? a.code : 'vendor_error';
    const message = typeof a.message === 'string' ? a.message.slice(0, 200) : code;
    return { id: a.id, ok: false, code, message };
  }
  if (a.personIds === undefined) return { id: a.id, ok: true };
  if (!Array.isArray(a.personIds) || !a.personIds.every((p) => typeof p === 'string' && p.length <= 64))
    return 'ack personIds must be a list of strings';
  return { id: a.id, ok: true, personIds: a.personIds as string[] };
}
