import type { CredentialRead } from '../core/contracts.js';
import type { AlertCandidate } from '../gateway/alerts/per-entry.js';
import type { Config } from '../gateway/config/schema.js';
import { PatternDetector } from '../gateway/detectors/patterns.js';
import { silentLogger } from '../gateway/log.js';
import type { PassIndex } from '../gateway/passes/pass-index.js';
import { decide } from '../gateway/pipeline/decide.js';
import type { EntryContext } from '../gateway/pipeline/detector.js';
import { normalize } from '../gateway/pipeline/normalize.js';
import { resolve } from '../gateway/pipeline/resolve.js';
import type { RosterSnapshot } from '../gateway/roster/model.js';
import { RosterIndex } from '../gateway/roster/roster-index.js';
import type { Db } from '../gateway/store/db.js';
import { Store } from '../gateway/store/store.js';

/** A small estate for the detector tables: H1 (2 members, card C1), H2 (1), H3 (1), in B01-U1. */
export const FINDINGS_ROSTER: RosterSnapshot = {
  buildings: [{ id: 'B01', name: '1号楼' }],
  entrances: [],
  households: ['H1', 'H2', 'H3'].map((id, i) => ({
    id,
    buildingId: 'B01',
    entranceId: 'B01-U1',
    room: `010${i + 1}`,
    housingType: 'gongzu' as const,
    leaseStart: null,
    leaseEnd: null,
    status: 'active' as const,
  })),
  residents: [
    ['R1', 'H1', 'leaseholder'],
    ['R2', 'H1', 'co_resident'],
    ['R3', 'H2', 'leaseholder'],
    ['R4', 'H3', 'leaseholder'],
  ].map(([id, householdId, role]) => ({
    id: id as string,
    householdId: householdId as string,
    role: role as 'leaseholder' | 'co_resident',
    name: '测试',
    idHash: null,
    idMasked: null,
    phoneMasked: null,
    validFrom: null,
    validTo: null,
    status: 'active' as const,
  })),
  credentials: [
    { kind: 'face', key: 'F1', residentId: 'R1' },
    { kind: 'face', key: 'F2', residentId: 'R2' },
    { kind: 'face', key: 'F3', residentId: 'R3' },
    { kind: 'face', key: 'F4', residentId: 'R4' },
    { kind: 'card', key: 'C1', residentId: 'R1' },
  ],
};

/** A unit vector for person `k` (orthogonal-ish to others), with a little capture noise `j`. */
export function face(k: number, j = 0, dims = 128): Float32Array {
  const v = new Float32Array(dims);
  v[k % dims] = 1;
  v[(k + 1 + j) % dims] = 0.05;
  let n = 0;
  for (const x of v) n += x * x;
  return v.map((x) => x / Math.sqrt(n));
}

export const DAY = 86_400_000;
/**
 * Local noon of day `d` after 2026-05-11: two months without public holidays ahead (guests
 * over the holidays get patience, issue 10).
 */
export const at = (d: number, h = 12) => Date.parse('2026-05-11T00:00:00+08:00') + d * DAY + h * 3600_000;

/**
 * A detector over `db` with a roster (the test roster unless given), and helpers to feed it
 * reads as the pipeline would. `swap` replaces the roster as an import would; `settle`
 * lets a card read's pairing window pass at its reader (an unregistered card, each time
 * another one, so it never adds up to a stranger).
 */
export function detectorRig(
  db: Db,
  config: Config,
  passes?: PassIndex,
  snapshot: RosterSnapshot = FINDINGS_ROSTER,
) {
  let roster = RosterIndex.fromSnapshot(snapshot);
  const source = {
    get index() {
      return roster;
    },
  };
  const det = new PatternDetector({
    store: Store.of(db),
    config,
    roster: source,
    passes,
    log: silentLogger(),
  });
  det.load();
  let seq = 0;
  const door = config.doors.find((d) => d.id === 'B01-U1') ?? config.doors[0];
  const feed = (
    ts: number,
    credential: CredentialRead['credential'],
    readerId = 'T-B01',
  ): AlertCandidate[] => {
    const read: CredentialRead = {
      readerId,
      recordId: `r${++seq}`,
      ts,
      receivedAt: ts,
      credential,
      offline: true,
    };
    const r = normalize(read, { doorId: readerId === 'T-GATE' ? 'GATE' : 'B01-U1', direction: 'in' }, 0, {
      staleAfterMs: 5000,
      maxFutureMs: DAY,
      idHashKey: 'ab'.repeat(32),
    });
    if (!r.ok) throw new Error(r.detail);
    const res = resolve(r.read, source.index, passes);
    const d = decide(r.read, res, door as never, config.checks);
    const ctx: EntryContext = {
      seq,
      read: r.read,
      resolution: res,
      decision: d,
      door: door as never,
      thumb: null,
    };
    const out = det.onEntry(ctx);
    det.endBatch(ts);
    return out;
  };
  const faceOf = (personId: string) => ({ type: 'face' as const, personId, score: 0.95, liveness: true });
  const stranger = (k: number, j = 0) => ({
    type: 'face' as const,
    personId: null,
    score: 0.4,
    liveness: true,
    embedding: face(k, j),
  });
  const card = (uid: string) => ({ type: 'card' as const, uid });
  let settled = 0;
  const settle = (ts: number, readerId = 'T-B01') =>
    feed(ts, card(`FF${String(++settled).padStart(6, '0')}`), readerId);
  const swap = (s: RosterSnapshot) => {
    roster = RosterIndex.fromSnapshot(s);
  };
  return { det, feed, faceOf, stranger, card, settle, swap, roster: source };
}
