/** Shared by the person–card tables: a roster, doors, reads, and the pure chain as the pipeline runs it. */
import type { Credential } from '../core/contracts.js';
import { hashIdNumber } from '../core/id-number.js';
import type { DoorConfig } from '../gateway/config/schema.js';
import { decide } from '../gateway/pipeline/decide.js';
import { normalize } from '../gateway/pipeline/normalize.js';
import { PersonCardCheck } from '../gateway/pipeline/person-card.js';
import { resolve } from '../gateway/pipeline/resolve.js';
import type { Household, Resident } from '../gateway/roster/model.js';
import { RosterIndex } from '../gateway/roster/roster-index.js';

export const KEY = 'ab'.repeat(32);
export const T0 = Date.parse('2026-05-01T08:00:00+08:00');
export const ZHANG = '310101199003071230'; // R1's card
export const LI = '11010519491231002X'; // R2's card
export const WANG = '310115198001152014'; // R3's card: moved out
const CHECKS = { faceMinScore: 0.8, requireLiveness: true, idcardExpiry: true };
export const WINDOW = 10_000;

const hh: Household = {
  id: 'H1',
  buildingId: 'B01',
  entranceId: null,
  room: '0101',
  housingType: 'gongzu',
  leaseStart: null,
  leaseEnd: null,
  status: 'active',
};
const resident = (id: string, number: string, status: Resident['status'] = 'active'): Resident => ({
  id,
  householdId: 'H1',
  role: 'co_resident',
  name: '测试',
  idHash: hashIdNumber(KEY, number),
  idMasked: null,
  phoneMasked: null,
  validFrom: null,
  validTo: null,
  status,
});
/** R1 and R2 active residents of H1 (faces F1/F2, R1's finger page 7), R3 moved out. */
export const roster = RosterIndex.fromSnapshot({
  buildings: [{ id: 'B01', name: '1号楼' }],
  entrances: [],
  households: [hh],
  residents: [resident('R1', ZHANG), resident('R2', LI), resident('R3', WANG, 'moved_out')],
  credentials: [
    { kind: 'face', key: 'F1', residentId: 'R1' },
    { kind: 'fingerprint', key: '7', residentId: 'R1' },
    { kind: 'idcard', key: hashIdNumber(KEY, ZHANG), residentId: 'R1' },
    { kind: 'face', key: 'F2', residentId: 'R2' },
    { kind: 'idcard', key: hashIdNumber(KEY, LI), residentId: 'R2' },
    { kind: 'face', key: 'F3', residentId: 'R3' },
    { kind: 'idcard', key: hashIdNumber(KEY, WANG), residentId: 'R3' },
  ],
});

/** An enforce door of building B01 with one factor unless told. */
export const door = (over: Partial<DoorConfig> = {}): DoorConfig => ({
  id: 'D1',
  name: '1号楼',
  building: 'B01',
  policy: 'enforce',
  unlockMs: 3000,
  welcome: '欢迎回家',
  denyMessage: '未登记',
  factors: 'one',
  ...over,
});

/** One read: ms after T0, the credential, and where/how it was presented. */
export type Step = [
  at: number,
  cred: Credential,
  opts?: { door?: string; dir?: 'in' | 'out'; offline?: boolean },
];
/** A live face of a terminal person id (null: a stranger). */
export const face = (personId: string | null): Credential => ({
  type: 'face',
  personId,
  score: 0.95,
  liveness: true,
});
/** An ID card by number. */
export const card = (number: string, validUntil: string | null = '2035-01-01'): Credential => ({
  type: 'idcard',
  number,
  validUntil,
});
/** A fingerprint by template id (null: a finger the module does not know). */
export const finger = (templateId: string | null): Credential => ({
  type: 'fingerprint',
  templateId,
  score: 120,
});

/**
 * Plays reads through normalize → resolve → correlate → decide as the check stage does, and
 * records each at once (seq = its position + 1) as the record stage does.
 */
export function play(steps: Step[], d: Partial<DoorConfig> = {}) {
  const pc = new PersonCardCheck(WINDOW);
  const out: string[] = [];
  const alerts: string[] = [];
  steps.forEach(([at, credential, o = {}], i) => {
    const ts = T0 + at;
    const received = o.offline ? T0 + 3_600_000 : ts + 100;
    const r = normalize(
      {
        readerId: `R-${credential.type}`,
        recordId: `r${i}`,
        ts,
        receivedAt: received,
        credential,
        offline: !!o.offline,
      },
      { doorId: o.door ?? 'D1', direction: o.dir ?? 'in' },
      0,
      { staleAfterMs: 5000, maxFutureMs: 86_400_000, idHashKey: KEY },
    );
    if (!r.ok) throw new Error(r.detail);
    const res = resolve(r.read, roster);
    const p = pc.correlate(r.read, res);
    const dec = decide(r.read, res, door({ id: o.door ?? 'D1', ...d }), CHECKS, p);
    pc.decided(p, r.read.doorId, dec.reasons);
    out.push(`${dec.outcome} ${dec.reasons.join('+')}`);
    const seq = i + 1;
    for (const a of pc.recorded(p, {
      seq,
      readerId: r.read.readerId,
      recordId: r.read.recordId,
      ts: r.read.ts,
      type: r.read.type,
      score: r.read.score,
      thumb: null,
      reasons: dec.reasons,
    }))
      alerts.push(`${a.candidate.kind} ${a.candidate.residentId} #${a.entries.map((e) => e.seq).join(',')}`);
  });
  return { decisions: out, alerts };
}
