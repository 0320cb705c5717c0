import t from 'tap';
import type { CredentialRead } from '../../core/contracts.js';
import { hashIdNumber } from '../../core/id-number.js';
import type { DoorConfig } from '../../gateway/config/schema.js';
import { decide } from '../../gateway/pipeline/decide.js';
import { normalize } from '../../gateway/pipeline/normalize.js';
import { resolve } from '../../gateway/pipeline/resolve.js';
import type { Household, Resident } from '../../gateway/roster/model.js';
import { RosterIndex } from '../../gateway/roster/roster-index.js';

const KEY = 'cd'.repeat(32);
const NOW = Date.parse('2026-05-01T08:00:00+08:00');
const OPTS = { staleAfterMs: 5000, maxFutureMs: 86_400_000, idHashKey: KEY };
const CHECKS = { faceMinScore: 0.8, requireLiveness: true, idcardExpiry: true };

const hh = (id: string, over: Partial<Household> = {}): Household => ({
  id,
  buildingId: 'B01',
  entranceId: 'B01-U1',
  room: '0101',
  housingType: 'gongzu',
  leaseStart: '2024-01-01',
  leaseEnd: '2027-12-31',
  status: 'active',
  ...over,
});
const res = (id: string, householdId: string, over: Partial<Resident> = {}): Resident => ({
  id,
  householdId,
  role: 'leaseholder',
  name: '测试',
  idHash: null,
  idMasked: null,
  phoneMasked: null,
  validFrom: null,
  validTo: null,
  status: 'active',
  ...over,
});
const roster = RosterIndex.fromSnapshot({
  buildings: [{ id: 'B01', name: '1号楼' }],
  entrances: [],
  households: [
    hh('H1'),
    hh('H2', { buildingId: 'B02', entranceId: 'B02-U1' }),
    hh('H3', { status: 'terminated' }),
    hh('H4', { leaseEnd: '2026-04-30' }),
    hh('H5', { entranceId: 'B01-U2' }),
  ],
  residents: [
    res('R1', 'H1', { idHash: hashIdNumber(KEY, '310115198001152014') }),
    res('R2', 'H2'),
    res('R3', 'H1', { status: 'moved_out' }),
    res('R4', 'H1', { validTo: '2026-04-30' }),
    res('R5', 'H1', { validFrom: '2026-06-01' }),
    res('R6', 'H3'),
    res('R7', 'H4'),
    res('R8', 'H5'),
  ],
  credentials: [
    { kind: 'face', key: 'F1', residentId: 'R1' },
    { kind: 'card', key: '04A1B2C3', residentId: 'R1' },
    { kind: 'idcard', key: hashIdNumber(KEY, '310115198001152014'), residentId: 'R1' },
    { kind: 'fingerprint', key: '17', residentId: 'R1' },
    { kind: 'face', key: 'F2', residentId: 'R2' },
    { kind: 'face', key: 'F3', residentId: 'R3' },
    { kind: 'face', key: 'F4', residentId: 'R4' },
    { kind: 'face', key: 'F5', residentId: 'R5' },
    { kind: 'face', key: 'F6', residentId: 'R6' },
    { kind: 'face', key: 'F7', residentId: 'R7' },
    { kind: 'face', key: 'F8', residentId: 'R8' },
  ],
});

const door = (over: Partial<DoorConfig> = {}): DoorConfig => ({
  id: 'B01-U1',
  name: '1号楼1单元',
  building: 'B01',
  entrance: 'B01-U1',
  policy: 'enforce',
  unlockMs: 3000,
  welcome: '欢迎回家',
  denyMessage: '未登记',
  ...over,
});

const read = (
  credential: CredentialRead['credential'],
  over: Partial<CredentialRead> = {},
): CredentialRead => ({
  readerId: 'T1',
  recordId: 'r1',
  ts: NOW - 200,
  receivedAt: NOW,
  credential,
  offline: false,
  ...over,
});
const face = (personId: string | null, score = 0.95, liveness: boolean | undefined = true) =>
  ({ type: 'face', personId, score, liveness }) as const;

/** Runs the pure chain for one row of a table. */
function check(r: CredentialRead, d: DoorConfig = door(), direction: 'in' | 'out' = 'in', offset = 0) {
  const n = normalize(r, { doorId: d.id, direction }, offset, OPTS);
  if (!n.ok) return { rejected: n.reason };
  const rs = resolve(n.read, roster);
  const dec = decide(n.read, rs, d, CHECKS);
  return {
    resident: rs.resident?.id ?? null,
    outcome: dec.outcome,
    answer: dec.answer,
    reasons: dec.reasons,
  };
}

t.test('decisions by table', async (t) => {
  const rows: Array<[string, ReturnType<typeof check>, ReturnType<typeof check>]> = [
    [
      'resident face',
      check(read(face('F1'))),
      { resident: 'R1', outcome: 'granted', answer: 'unlock', reasons: ['ok'] },
    ],
    [
      'resident card',
      check(read({ type: 'card', uid: '04A1B2C3' })),
      { resident: 'R1', outcome: 'granted', answer: 'unlock', reasons: ['ok'] },
    ],
    [
      'resident ID card',
      check(read({ type: 'idcard', number: '310115198001152014', validUntil: '2030-01-01' })),
      { resident: 'R1', outcome: 'granted', answer: 'unlock', reasons: ['ok'] },
    ],
    [
      'resident fingerprint',
      check(read({ type: 'fingerprint', templateId: '17' })),
      { resident: 'R1', outcome: 'granted', answer: 'unlock', reasons: ['ok'] },
    ],
    [
      'stranger face',
      check(read(face(null, 0.2))),
      { resident: null, outcome: 'denied', answer: 'deny', reasons: ['stranger'] },
    ],
    [
      'unregistered person id',
      check(read(face('F99'))),
      { resident: null, outcome: 'denied', answer: 'deny', reasons: ['unknown_person'] },
    ],
    [
      'unknown card',
      check(read({ type: 'card', uid: 'DEADBEEF' })),
      { resident: null, outcome: 'denied', answer: 'deny', reasons: ['unknown_card'] },
    ],
    [
      'ID number with a bad check digit',
      check(read({ type: 'idcard', number: '310115198001152015' })),
      { resident: null, outcome: 'denied', answer: 'deny', reasons: ['invalid_id_number'] },
    ],
    [
      'expired ID card',
      check(read({ type: 'idcard', number: '310115198001152014', validUntil: '2026-04-30' })),
      { resident: 'R1', outcome: 'denied', answer: 'deny', reasons: ['idcard_expired'] },
    ],
    [
      'ID card valid for ever (长期)',
      check(read({ type: 'idcard', number: '310115198001152014', validUntil: null })),
      { resident: 'R1', outcome: 'granted', answer: 'unlock', reasons: ['ok'] },
    ],
    [
      'low score',
      check(read(face('F1', 0.7))),
      { resident: 'R1', outcome: 'denied', answer: 'deny', reasons: ['low_score'] },
    ],
    [
      'failed liveness',
      check(read(face('F1', 0.95, false))),
      { resident: 'R1', outcome: 'denied', answer: 'deny', reasons: ['no_liveness'] },
    ],
    [
      'moved-out tenant',
      check(read(face('F3'))),
      { resident: 'R3', outcome: 'denied', answer: 'deny', reasons: ['inactive_resident'] },
    ],
    [
      'resident past valid_to',
      check(read(face('F4'))),
      { resident: 'R4', outcome: 'denied', answer: 'deny', reasons: ['resident_expired'] },
    ],
    [
      'resident before valid_from',
      check(read(face('F5'))),
      { resident: 'R5', outcome: 'denied', answer: 'deny', reasons: ['resident_not_yet_valid'] },
    ],
    [
      'terminated household',
      check(read(face('F6'))),
      { resident: 'R6', outcome: 'denied', answer: 'deny', reasons: ['household_inactive'] },
    ],
    [
      'lease ended',
      check(read(face('F7'))),
      { resident: 'R7', outcome: 'denied', answer: 'deny', reasons: ['lease_expired'] },
    ],
    [
      'other building',
      check(read(face('F2'))),
      { resident: 'R2', outcome: 'denied', answer: 'deny', reasons: ['wrong_building'] },
    ],
    [
      'other entrance, same building',
      check(read(face('F8'))),
      { resident: 'R8', outcome: 'denied', answer: 'deny', reasons: ['wrong_entrance'] },
    ],
    [
      'other building at an estate gate',
      check(read(face('F2')), door({ id: 'GATE', building: undefined, entrance: undefined })),
      { resident: 'R2', outcome: 'granted', answer: 'unlock', reasons: ['ok'] },
    ],
    [
      'stranger at a monitor door',
      check(read(face(null)), door({ policy: 'monitor' })),
      { resident: null, outcome: 'granted', answer: 'unlock', reasons: ['stranger', 'monitor'] },
    ],
    [
      'stranger leaving',
      check(read(face(null)), door(), 'out'),
      { resident: null, outcome: 'granted', answer: 'unlock', reasons: ['stranger', 'exit'] },
    ],
    [
      'offline replay',
      check(read(face('F1'), { offline: true, ts: NOW - 3_600_000 })),
      { resident: 'R1', outcome: 'granted', answer: null, reasons: ['ok', 'offline'] },
    ],
    [
      'stale live read',
      check(read(face('F1'), { ts: NOW - 6000 })),
      { resident: 'R1', outcome: 'granted', answer: null, reasons: ['ok', 'stale'] },
    ],
    [
      'reader clock 1 h behind, known offset',
      check(read(face('F1'), { ts: NOW - 3_600_000 - 100 }), door(), 'in', 3_600_000),
      { resident: 'R1', outcome: 'granted', answer: 'unlock', reasons: ['ok'] },
    ],
    [
      'denied and stale: recorded, not answered',
      check(read(face(null), { ts: NOW - 60_000 })),
      { resident: null, outcome: 'denied', answer: null, reasons: ['stranger', 'stale'] },
    ],
    ['far in the future', check(read(face('F1'), { ts: NOW + 2 * 86_400_000 })), { rejected: 'future_ts' }],
  ];
  for (const [name, got, want] of rows) t.same(got, want, name);
});

t.test('normalize keeps no raw ID number and corrects time by the offset', async (t) => {
  const n = normalize(
    read({ type: 'idcard', number: '31011519800115201x'.toUpperCase().replace('X', '4') }),
    { doorId: 'D', direction: 'in' },
    1000,
    OPTS,
  );
  t.ok(n.ok);
  if (!n.ok) return;
  t.equal(n.read.key, hashIdNumber(KEY, '310115198001152014'));
  t.equal(n.read.idMasked, '310***********2014');
  t.notOk(JSON.stringify(n.read).includes('310115198001152014'));
  t.equal(n.read.ts, NOW - 200 + 1000);
  t.equal(n.read.readerTs, NOW - 200);
});
