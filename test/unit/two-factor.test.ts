import t from 'tap';
import { card, face, finger, play, type Step, WANG, ZHANG } from '../../testkit/person-card.js';

// Issue 3: doors with factors idcard+biometric (人证合一) — a lone factor is recorded and
// denied with a prompt for the other; the same resident's second factor opens.

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
