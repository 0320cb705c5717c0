import t from 'tap';
import type { Credential } from '../../core/contracts.js';
import { factorOf } from '../../gateway/pipeline/correlate.js';
import { normalize } from '../../gateway/pipeline/normalize.js';
import { PersonCardCheck } from '../../gateway/pipeline/person-card.js';
import { resolve } from '../../gateway/pipeline/resolve.js';
import {
  card,
  face,
  finger,
  KEY,
  play,
  roster,
  type Step,
  T0,
  WINDOW,
  ZHANG,
} from '../../testkit/person-card.js';

// Issue 3, 人证比对: an ID card and a face or fingerprint at one door within the window are
// one presentation. Tables of read sequences → decisions and person_card_mismatch alerts.

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
    const p = pc.correlate(r.read, resolve(r.read, roster));
    pc.decided(p, 'D1', []);
    return p;
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
