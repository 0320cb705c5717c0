import t from 'tap';
import type { Credential } from '../../drivers/types.js';
import type { DoorConfig } from '../../gateway/config/schema.js';
import { factorOf } from '../../gateway/pipeline/correlate.js';
import { decide } from '../../gateway/pipeline/decide.js';
import { normalize } from '../../gateway/pipeline/normalize.js';
import { PersonCardCheck } from '../../gateway/pipeline/person-card.js';
import { resolve } from '../../gateway/pipeline/resolve.js';
import { hashIdNumber } from '../../gateway/roster/id-number.js';
import type { Household, Resident } from '../../gateway/roster/model.js';
import { RosterIndex } from '../../gateway/roster/roster-index.js';

// Issue 3, 人证比对: an ID card and a face or fingerprint at one door within the window are
// one presentation. Tables of read sequences → decisions and person_card_mismatch alerts.

const KEY = 'ab'.repeat(32);
const T0 = Date.parse('2026-05-01T08:00:00+08:00');
const ZHANG = '310101199003071230'; // R1's card
const LI = '11010519491231002X'; // R2's card
const WANG = '310115198001152014'; // R3's card: moved out
const CHECKS = { faceMinScore: 0.8, requireLiveness: true, idcardExpiry: true };
const WINDOW = 10_000;

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
const roster = RosterIndex.fromSnapshot({
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

const door = (over: Partial<DoorConfig> = {}): DoorConfig => ({
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

type Step = [at: number, cred: Credential, opts?: { door?: string; dir?: 'in' | 'out'; offline?: boolean }];
const face = (personId: string | null): Credential => ({
  type: 'face',
  personId,
  score: 0.95,
  liveness: true,
});
const card = (number: string, validUntil: string | null = '2035-01-01'): Credential => ({
  type: 'idcard',
  number,
  validUntil,
});
const finger = (templateId: string | null): Credential => ({ type: 'fingerprint', templateId, score: 120 });

/** Plays reads through normalize → resolve → correlate → decide, as the pipeline does. */
function play(steps: Step[], d: Partial<DoorConfig> = {}) {
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
    const slot = pc.slot();
    const corr = pc.correlate(r.read, res, slot);
    const dec = decide(r.read, res, door({ id: o.door ?? 'D1', ...d }), CHECKS, corr);
    pc.remember(r.read, res, dec.reasons, corr, slot);
    out.push(`${dec.outcome} ${dec.reasons.join('+')}`);
    const seq = i + 1;
    for (const a of pc.recorded(slot, {
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

t.test('factors', async (t) => {
  t.same((['face', 'fingerprint', 'idcard', 'card', 'qrcode'] as const).map(factorOf), [
    'biometric',
    'biometric',
    'idcard',
    null,
    null,
  ]);
});

t.test('one-factor doors: each read opens alone; different people raise person_card_mismatch', async (t) => {
  const rows: Array<[string, Step[], ReturnType<typeof play>]> = [
    [
      'card then own face: one presentation, no alert',
      [
        [0, card(ZHANG)],
        [3000, face('F1')],
      ],
      { decisions: ['granted ok', 'granted ok'], alerts: [] },
    ],
    [
      'card then another resident’s face',
      [
        [0, card(ZHANG)],
        [4000, face('F2')],
      ],
      { decisions: ['granted ok', 'granted ok'], alerts: ['person_card_mismatch R1 #1,2'] },
    ],
    [
      'face first, then someone else’s card (either order)',
      [
        [0, face('F2')],
        [2000, card(ZHANG)],
      ],
      { decisions: ['granted ok', 'granted ok'], alerts: ['person_card_mismatch R1 #1,2'] },
    ],
    [
      'a resident’s card with a stranger’s face',
      [
        [0, card(ZHANG)],
        [1000, face(null)],
      ],
      { decisions: ['granted ok', 'denied stranger'], alerts: ['person_card_mismatch R1 #1,2'] },
    ],
    [
      'a resident’s card with an unknown finger',
      [
        [0, card(ZHANG)],
        [1000, finger(null)],
      ],
      {
        decisions: ['granted ok', 'denied unknown_fingerprint'],
        alerts: ['person_card_mismatch R1 #1,2'],
      },
    ],
    [
      'own fingerprint matches the card',
      [
        [0, finger('7')],
        [1500, card(ZHANG)],
      ],
      { decisions: ['granted ok', 'granted ok'], alerts: [] },
    ],
    [
      'outside the window: two presentations',
      [
        [0, card(ZHANG)],
        [10_001, face('F2')],
      ],
      { decisions: ['granted ok', 'granted ok'], alerts: [] },
    ],
    [
      'at another door: no pair',
      [
        [0, card(ZHANG)],
        [1000, face('F2'), { door: 'D2' }],
      ],
      { decisions: ['granted ok', 'granted ok'], alerts: [] },
    ],
    [
      'an unknown card with a resident’s face: unknown_card, not a mismatch',
      [
        [0, card(ZHANG.replace('1230', '1249'))],
        [1000, face('F1')],
      ],
      { decisions: ['denied unknown_idcard', 'granted ok'], alerts: [] },
    ],
    [
      'a half pairs once: a second face after the pair stands alone',
      [
        [0, card(ZHANG)],
        [1000, face('F1')],
        [2000, face('F2')],
      ],
      { decisions: ['granted ok', 'granted ok', 'granted ok'], alerts: [] },
    ],
    [
      'the closest half in time is the pair',
      [
        [0, face('F2')],
        [6000, face('F1')],
        [7000, card(ZHANG)],
      ],
      { decisions: ['granted ok', 'granted ok', 'granted ok'], alerts: [] },
    ],
    [
      'exits never correlate',
      [
        [0, card(ZHANG)],
        [1000, face('F2'), { dir: 'out' }],
      ],
      { decisions: ['granted ok', 'granted exit'], alerts: [] },
    ],
    [
      'event time, not arrival: offline replays an hour late still pair',
      [
        [0, card(ZHANG), { offline: true }],
        [2000, face(null), { offline: true }],
      ],
      {
        decisions: ['granted ok+offline', 'denied stranger+offline'],
        alerts: ['person_card_mismatch R1 #1,2'],
      },
    ],
    [
      'replayed out of order: the later read first (evidence in event-time order)',
      [
        [5000, face('F2'), { offline: true }],
        [0, card(ZHANG), { offline: true }],
      ],
      {
        decisions: ['granted ok+offline', 'granted ok+offline'],
        alerts: ['person_card_mismatch R1 #2,1'],
      },
    ],
  ];
  for (const [name, steps, want] of rows) t.same(play(steps), want, name);
});

t.test('two-factor doors (idcard+biometric)', async (t) => {
  const two = { factors: 'idcard+biometric' as const };
  const rows: Array<[string, Step[], ReturnType<typeof play>]> = [
    [
      'card alone asks for the face; the matching face opens',
      [
        [0, card(ZHANG)],
        [4000, face('F1')],
      ],
      { decisions: ['denied biometric_required', 'granted ok'], alerts: [] },
    ],
    [
      'face alone asks for the card; the matching card opens',
      [
        [0, face('F1')],
        [9000, card(ZHANG)],
      ],
      { decisions: ['denied idcard_required', 'granted ok'], alerts: [] },
    ],
    [
      'fingerprint counts as the biometric factor',
      [
        [0, card(ZHANG)],
        [2000, finger('7')],
      ],
      { decisions: ['denied biometric_required', 'granted ok'], alerts: [] },
    ],
    [
      'card of one resident, face of another: refused and alerted',
      [
        [0, card(ZHANG)],
        [2000, face('F2')],
      ],
      {
        decisions: ['denied biometric_required', 'denied person_card_mismatch'],
        alerts: ['person_card_mismatch R1 #1,2'],
      },
    ],
    [
      'the second factor too late asks again',
      [
        [0, card(ZHANG)],
        [10_500, face('F1')],
      ],
      { decisions: ['denied biometric_required', 'denied idcard_required'], alerts: [] },
    ],
    [
      'an expired card stays refused when the face comes',
      [
        [0, card(ZHANG, '2026-04-01')],
        [2000, face('F1')],
      ],
      { decisions: ['denied idcard_expired+biometric_required', 'denied idcard_expired'], alerts: [] },
    ],
    [
      'a moved-out tenant’s own pair is refused as inactive',
      [
        [0, card(WANG)],
        [2000, face('F3')],
      ],
      {
        decisions: ['denied inactive_resident+biometric_required', 'denied inactive_resident'],
        alerts: [],
      },
    ],
    [
      'an IC card is neither factor',
      [[0, { type: 'card', uid: '04A1B2C3' }]],
      { decisions: ['denied unknown_card+two_factors_required'], alerts: [] },
    ],
    [
      'exits open on one factor',
      [[0, face('F1'), { dir: 'out' }]],
      { decisions: ['granted exit'], alerts: [] },
    ],
  ];
  for (const [name, steps, want] of rows) t.same(play(steps, two), want, name);

  t.same(
    play(
      [
        [0, card(ZHANG)],
        [1000, face('F1')],
      ],
      { ...two, policy: 'monitor' },
    ).decisions,
    ['granted biometric_required+monitor', 'granted ok'],
    'a monitor door opens on one factor and records what was missing',
  );
});

t.test('a mismatch alert waits until both halves are recorded, in either order', async (t) => {
  const pc = new PersonCardCheck(WINDOW);
  const mk = (recordId: string, credential: Credential, at: number) => {
    const r = normalize(
      { readerId: 'X', recordId, ts: T0 + at, receivedAt: T0 + at, credential, offline: false },
      { doorId: 'D1', direction: 'in' },
      0,
      { staleAfterMs: 5000, maxFutureMs: 86_400_000, idHashKey: KEY },
    );
    if (!r.ok) throw new Error('bad read');
    const res = resolve(r.read, roster);
    const slot = pc.slot();
    const c = pc.correlate(r.read, res, slot);
    pc.remember(r.read, res, [], c, slot);
    return slot;
  };
  const ev = (seq: number, ts: number) => ({
    seq,
    readerId: 'X',
    recordId: `r${seq}`,
    ts: T0 + ts,
    type: 'face',
    score: null,
    thumb: null,
    reasons: [],
  });
  const a = mk('a', card(ZHANG), 0);
  const b = mk('b', face('F2'), 1000);
  t.same(pc.recorded(b, ev(5, 1000)), [], 'the second half committed first: nothing yet');
  const got = pc.recorded(a, ev(6, 0));
  t.equal(got.length, 1);
  t.same(
    got[0]?.entries.map((e) => e.seq),
    [6, 5],
    'both entries, in event-time order',
  );
  t.same(pc.recorded(a, ev(6, 0)), [], 'raised once');
  pc.rolledBack(a);
  t.equal(pc.recorded(a, ev(7, 0)).length, 1, 'a rolled-back commit raises again when recorded again');
});
