/**
 * The signed roster that comes down from the district system (design.md §7, issue 14): a
 * snapshot (the whole roster, with a version), deltas (the changes from version N-1 to N),
 * and a small pointer that names the current snapshot version (retained on MQTT, so a box
 * that connects learns at once whether it is behind). Each travels as a `Signed` payload
 * (core/signing.ts). The gateway verifies and applies them; the simulated district system
 * and `estate-gateway roster sign` produce them. This module says what they look like.
 *
 * The roster inside a snapshot, and the households of a delta, are in the JSON form of
 * `estate-gateway roster import` (docs/roster-import.md), so a synced roster is checked by
 * the same rules as an imported file.
 */
import { createHash, createHmac, type KeyObject } from 'node:crypto';
import { canonicalJson, type Signed, signPayload, type VerifyRefusal, verifyPayload } from './signing.js';

/** The format name inside every roster payload: it also separates these signatures from others. */
export const ROSTER_FORMAT = 'estate-roster/1';

/** What a message is. */
export type RosterMessageKind = 'snapshot' | 'delta' | 'pointer';

/** A roster in the JSON form of the import file: `{ buildings?, households: [...] }`. */
export interface RosterDocument {
  buildings?: Array<{ id: string; name: string }>;
  households: unknown[];
}

/** What a delta changes, from version `base` to `version`. */
export interface RosterChanges {
  /** Households written whole, each with the residents that changed (each whole, with credentials). */
  upsert?: RosterDocument;
  /** Residents who left: they become moved_out (their credentials stay, so a return is noticed). */
  moveOut?: string[];
  /** Households whose lease ended: they become terminated. */
  terminate?: string[];
}

/** The signed part of a roster message. */
export interface RosterPayload {
  format: typeof ROSTER_FORMAT;
  kind: RosterMessageKind;
  /** The estate id it is for; any other estate's gateway refuses it. */
  estate: string;
  /** Positive integer; every delta adds one. A pointer's is the newest version issued. */
  version: number;
  /** Delta: the version it applies to (version - 1). */
  base?: number;
  /** When the upstream issued it (ISO 8601). */
  issuedAt: string;
  /** Snapshot: the whole roster. */
  roster?: RosterDocument;
  /** Delta: the changes. */
  changes?: RosterChanges;
  /** Pointer: the newest full snapshot (deltas may follow it up to `version`). */
  snapshot?: { version: number; digest: string };
}

/** A roster message as it travels. */
export type RosterMessage = Signed<RosterPayload>;

/** The MQTT topics of an estate's roster, below `{prefix}/{estateId}`. */
export function rosterTopics(prefix: string, estateId: string) {
  const base = `${prefix}/${estateId}/roster`;
  return {
    /** Retained: the pointer to the current snapshot. */
    pointer: `${base}/pointer`,
    /** Deltas, and snapshots sent on request; QoS 1, queued for the gateway's session. */
    updates: `${base}/updates`,
    /** Gateway → upstream: "I am at version N, send what follows" (a gap, a local import). */
    requests: `${base}/requests`,
  };
}

/**
 * The signature header of a pull (`GET ?estate=…&since=N`): HMAC-SHA256 with the upstream
 * key over `GET {path?query}`, as the event batches are signed over their body.
 */
export function pullSignature(key: string, pathAndQuery: string): string {
  return `sha256=${createHmac('sha256', key).update(`GET ${pathAndQuery}`).digest('hex')}`;
}

/** The SHA-256 (hex) of a payload's canonical encoding: what a pointer names, what the store keeps. */
export function rosterDigest(p: RosterPayload): string {
  return createHash('sha256').update(canonicalJson(p), 'utf8').digest('hex');
}

const isVersion = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1;

/**
 * What is wrong with a payload's head and framing (not its roster rows: the import rules
 * check those); null when it is sound.
 */
export function rosterPayloadProblem(p: unknown): string | null {
  if (!p || typeof p !== 'object' || Array.isArray(p)) return 'the payload must be an object';
  const r = p as Partial<RosterPayload>;
  if (r.format !== ROSTER_FORMAT) return `format must be "${ROSTER_FORMAT}"`;
  if (r.kind !== 'snapshot' && r.kind !== 'delta' && r.kind !== 'pointer')
    return 'kind must be snapshot, delta or pointer';
  if (typeof r.estate !== 'string' || r.estate === '') return 'estate must be a non-empty string';
  if (!isVersion(r.version)) return 'version must be a positive integer';
  if (typeof r.issuedAt !== 'string' || Number.isNaN(Date.parse(r.issuedAt)))
    return 'issuedAt must be an ISO 8601 time';
  if (r.kind === 'snapshot') {
    if (!r.roster || typeof r.roster !== 'object' || !Array.isArray(r.roster.households))
      return 'a snapshot carries roster.households';
  } else if (r.kind === 'delta') {
    if (r.base !== r.version - 1) return 'a delta has base = version - 1';
    const c = r.changes;
    if (!c || typeof c !== 'object') return 'a delta carries changes';
    if (c.upsert !== undefined && (typeof c.upsert !== 'object' || !Array.isArray(c.upsert?.households)))
      return 'changes.upsert must hold a households array';
    for (const k of ['moveOut', 'terminate'] as const) {
      const ids = c[k];
      if (ids !== undefined && (!Array.isArray(ids) || ids.some((x) => typeof x !== 'string' || x === '')))
        return `changes.${k} must be a list of ids`;
    }
  } else {
    const s = r.snapshot;
    if (!s || typeof s !== 'object' || !isVersion(s.version) || s.version > r.version)
      return 'a pointer names its snapshot version (at most its own version)';
    if (typeof s.digest !== 'string' || !/^[0-9a-f]{64}$/.test(s.digest))
      return 'a pointer names its snapshot digest (64 hex digits)';
  }
  return null;
}

/** Why a roster message was refused before its rows were looked at. */
export type OpenRefusal = VerifyRefusal | 'too_large';

/** A verified message: its payload, the key that signed it, its digest. */
export interface OpenedRoster {
  payload: RosterPayload;
  keyId: string;
  digest: string;
}

/**
 * Parses and verifies a received message (bytes off MQTT or HTTPS). Total: anything gives
 * a verified payload or the reason it was refused and a detail fit for a log (never a
 * value from the roster).
 */
export function openRosterMessage(
  raw: string | Buffer,
  trusted: ReadonlyMap<string, KeyObject>,
  maxBytes: number,
): { ok: true; message: OpenedRoster } | { ok: false; why: OpenRefusal; detail: string } {
  const bytes = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
  if (bytes > maxBytes) return { ok: false, why: 'too_large', detail: `${bytes} bytes, limit ${maxBytes}` };
  let msg: unknown;
  try {
    msg = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    return { ok: false, why: 'malformed', detail: 'not JSON' };
  }
  const v = verifyPayload(msg, trusted);
  if (!v.ok) return { ok: false, why: v.why, detail: v.why };
  const payload = (msg as { payload: unknown }).payload;
  const problem = rosterPayloadProblem(payload);
  if (problem) return { ok: false, why: 'malformed', detail: problem };
  const p = payload as RosterPayload;
  return { ok: true, message: { payload: p, keyId: v.keyId, digest: rosterDigest(p) } };
}

/** What the upstream side needs to issue messages for one estate. */
export interface RosterIssuer {
  estate: string;
  key: KeyObject;
  /** ISO time of issue (default now). */
  issuedAt?: string;
}

/** A signed snapshot of `roster` at `version`. */
export function signSnapshot(i: RosterIssuer, version: number, roster: RosterDocument): RosterMessage {
  return signPayload<RosterPayload>(
    { format: ROSTER_FORMAT, kind: 'snapshot', estate: i.estate, version, issuedAt: issued(i), roster },
    i.key,
  );
}

/** A signed delta from `version - 1` to `version`. */
export function signDelta(i: RosterIssuer, version: number, changes: RosterChanges): RosterMessage {
  return signPayload<RosterPayload>(
    {
      format: ROSTER_FORMAT,
      kind: 'delta',
      estate: i.estate,
      version,
      base: version - 1,
      issuedAt: issued(i),
      changes,
    },
    i.key,
  );
}

/**
 * A signed pointer: the newest version issued (`head`) and the newest full snapshot. A
 * gateway that connects reads it (retained) and knows at once whether it is behind.
 */
export function signPointer(i: RosterIssuer, head: number, snapshot: RosterMessage): RosterMessage {
  return signPayload<RosterPayload>(
    {
      format: ROSTER_FORMAT,
      kind: 'pointer',
      estate: i.estate,
      version: head,
      issuedAt: issued(i),
      snapshot: { version: snapshot.payload.version, digest: rosterDigest(snapshot.payload) },
    },
    i.key,
  );
}

function issued(i: RosterIssuer): string {
  return i.issuedAt ?? new Date().toISOString();
}
