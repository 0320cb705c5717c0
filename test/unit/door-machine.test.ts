import t from 'tap';
import {
  type DoorEffect,
  type DoorInput,
  type DoorRules,
  type DoorState,
  initialDoorState,
  nextDeadline,
  step,
} from '../../gateway/doors/door-machine.js';

// Issue 13: the door state machine by table. Each row feeds inputs at their times (ms),
// ticking the machine at every deadline it names in between, as the door part's timer
// does, and lists what came out: `kind@time` (+ the judgement of an opening).

const RULES: DoorRules = { contact: true, debounceMs: 200, heldOpenMs: 30_000, forcedWindowMs: 10_000 };

type In =
  | ['open' | 'closed', number]
  | ['unlock', number, number]
  | ['exit', number]
  | ['release', 'passage' | 'fire' | null, number]
  | ['device_forced' | 'device_held' | 'tick', number];

function toInput(i: In): DoorInput {
  switch (i[0]) {
    case 'open':
    case 'closed':
      return { kind: 'contact', value: i[0], at: i[1] };
    case 'unlock':
      return { kind: 'unlock', at: i[1], durationMs: i[2] };
    case 'exit':
      return { kind: 'exit', at: i[1] };
    case 'release':
      return { kind: 'release', release: i[1], at: i[2] };
    default:
      return { kind: i[0], at: i[1] };
  }
}

function show(e: DoorEffect): string {
  return e.kind === 'opened' ? `opened@${e.at}:${e.judged}` : `${e.kind}@${e.at}`;
}

/** Runs inputs, ticking at each deadline before the next input and until `until`. */
function run(rules: DoorRules, inputs: In[], until: number): { effects: string[]; state: DoorState } {
  let s = initialDoorState();
  const effects: string[] = [];
  const tickTo = (to: number) => {
    for (let d = nextDeadline(rules, s); d !== null && d <= to; d = nextDeadline(rules, s)) {
      const r = step(rules, s, { kind: 'tick', at: d });
      s = r.state;
      effects.push(...r.effects.map(show));
    }
  };
  for (const i of inputs) {
    const input = toInput(i);
    tickTo(input.at - 1);
    const r = step(rules, s, input);
    s = r.state;
    effects.push(...r.effects.map(show));
  }
  tickTo(until);
  return { effects, state: s };
}

interface Row {
  name: string;
  rules?: Partial<DoorRules>;
  inputs: In[];
  until: number;
  effects: string[];
  state?: Partial<DoorState>;
}

// Every row starts with the door closed (reported at 0, confirmed at 200).
const CLOSED: In = ['closed', 0];

const ROWS: Row[] = [
  {
    name: 'the first reading only tells the state: nothing closed',
    inputs: [CLOSED],
    until: 1000,
    effects: [],
    state: { contact: 'closed' },
  },
  {
    name: 'an opening after an unlock is authorised and closes normally',
    inputs: [CLOSED, ['unlock', 1000, 3000], ['open', 1500], ['closed', 4000]],
    until: 60_000,
    effects: ['opened@1500:authorised', 'closed@4000'],
    state: { contact: 'closed', forced: false, held: false },
  },
  {
    name: 'an opening with no unlock is forced, until the door closes',
    inputs: [CLOSED, ['open', 5000]],
    until: 6000,
    effects: ['opened@5000:forced', 'forced@5000'],
    state: { contact: 'open', forced: true },
  },
  {
    name: 'forced clears on close; the next authorised opening is not forced',
    inputs: [CLOSED, ['open', 5000], ['closed', 6000], ['unlock', 9000, 3000], ['open', 9500]],
    until: 10_000,
    effects: ['opened@5000:forced', 'forced@5000', 'closed@6000', 'opened@9500:authorised'],
    state: { forced: false },
  },
  {
    name: 'an exit-button press authorises an opening within the window',
    inputs: [CLOSED, ['exit', 1000], ['open', 8000], ['closed', 9000]],
    until: 10_000,
    effects: ['opened@8000:authorised', 'closed@9000'],
  },
  {
    name: 'an opening after the window is forced',
    inputs: [CLOSED, ['exit', 1000], ['open', 11_500]],
    until: 12_000,
    effects: ['opened@11500:forced', 'forced@11500'],
  },
  {
    name: 'a long unlock (passage pulse) authorises for its whole length',
    inputs: [CLOSED, ['unlock', 1000, 20_000], ['open', 19_000]],
    until: 19_500,
    effects: ['opened@19000:authorised'],
  },
  {
    name: "an unlock reported just after the contact (a terminal's own relay) still authorises",
    inputs: [CLOSED, ['open', 1000], ['unlock', 1100, 3000]],
    until: 2000,
    effects: ['opened@1000:authorised'],
  },
  {
    name: 'a bounce shorter than the debounce is no opening',
    inputs: [CLOSED, ['open', 1000], ['closed', 1100]],
    until: 60_000,
    effects: ['bounce@1100'],
    state: { contact: 'closed', forced: false },
  },
  {
    name: 'open past heldOpenSeconds is held open once; closing clears it',
    inputs: [CLOSED, ['unlock', 1000, 3000], ['open', 1500], ['closed', 90_000]],
    until: 100_000,
    effects: ['opened@1500:authorised', 'held_open@31500', 'closed@90000', 'held_cleared@90000'],
    state: { held: false },
  },
  {
    name: 'a forced door left open is forced and then held open',
    inputs: [CLOSED, ['open', 1000]],
    until: 40_000,
    effects: ['opened@1000:forced', 'forced@1000', 'held_open@31000'],
    state: { forced: true, held: true },
  },
  {
    name: 'a door configured without a contact never alarms',
    rules: { contact: false },
    inputs: [CLOSED, ['open', 1000], ['device_forced', 1200], ['device_held', 1300]],
    until: 120_000,
    effects: [],
    state: { contact: 'unknown', forced: false, held: false },
  },
  {
    name: 'found open at start-up: not forced (how it opened is unknown), held open from then',
    inputs: [['open', 0]],
    until: 31_000,
    effects: ['opened@0:unknown', 'held_open@30000'],
  },
  {
    name: 'a door opened during passage neither forced nor held; timed from the end of passage',
    inputs: [CLOSED, ['release', 'passage', 1000], ['open', 2000], ['release', null, 100_000]],
    until: 131_000,
    effects: ['opened@2000:released', 'held_open@130000'],
  },
  {
    name: 'an opening just after passage ends (someone passing) is not forced',
    inputs: [CLOSED, ['release', 'passage', 1000], ['release', null, 50_000], ['open', 55_000]],
    until: 56_000,
    effects: ['opened@55000:authorised'],
  },
  {
    name: 'fire all-open clears a held-open door',
    inputs: [CLOSED, ['unlock', 1000, 3000], ['open', 1500], ['release', 'fire', 40_000]],
    until: 200_000,
    effects: ['opened@1500:authorised', 'held_open@31500', 'held_cleared@40000'],
    state: { held: false, release: 'fire' },
  },
  {
    name: 'a terminal that judges its own door: forced and held as reported',
    inputs: [CLOSED, ['device_forced', 1000], ['device_held', 2000], ['closed', 3000]],
    until: 4000,
    effects: ['forced@1000', 'held_open@2000', 'closed@3000', 'held_cleared@3000'],
  },
  {
    name: 'a repeated report of the same reading changes nothing',
    inputs: [CLOSED, ['closed', 500], ['unlock', 1000, 3000], ['open', 1500], ['open', 1600], ['open', 1900]],
    until: 2000,
    effects: ['opened@1500:authorised'],
  },
  {
    name: 'without debounce a change counts at once',
    rules: { debounceMs: 0 },
    inputs: [CLOSED, ['open', 1000], ['closed', 1001]],
    until: 2000,
    effects: ['opened@1000:forced', 'forced@1000', 'closed@1001'],
  },
];

for (const row of ROWS) {
  t.test(row.name, async (t) => {
    const rules = { ...RULES, ...row.rules };
    const { effects, state } = run(rules, row.inputs, row.until);
    t.same(effects, row.effects);
    if (row.state) t.match(state, row.state);
  });
}

t.test('step leaves the state it was given alone', async (t) => {
  const s0 = initialDoorState();
  const s1 = step(RULES, s0, { kind: 'contact', value: 'closed', at: 0 }).state;
  t.equal(s0.pending, null);
  const before = JSON.stringify(s1);
  step(RULES, s1, { kind: 'tick', at: 1000 });
  t.equal(JSON.stringify(s1), before);
});

t.test('nextDeadline names the debounce end, then the held-open deadline, then nothing', async (t) => {
  let s = initialDoorState();
  s = step(RULES, s, { kind: 'contact', value: 'open', at: 100 }).state;
  t.equal(nextDeadline(RULES, s), 300);
  s = step(RULES, s, { kind: 'tick', at: 300 }).state;
  t.equal(nextDeadline(RULES, s), 30_100);
  s = step(RULES, s, { kind: 'tick', at: 30_100 }).state;
  t.equal(nextDeadline(RULES, s), null, 'held open is raised once per opening');
});
