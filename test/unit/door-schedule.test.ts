import t from 'tap';
import { ManualClock } from '../../core/clock.js';
import { compileCalendar, DoorSchedules, dayKind, scheduleAt } from '../../gateway/doors/schedule.js';
import { faceRead, pipelineKit } from '../../testkit/pipeline.js';

// Issue 13: door schedules across a holiday. National Day 2026 by the State Council's notice:
// 1–7 October off (Thursday to Wednesday), Sunday 20 September and Saturday 10 October worked
// instead (调休). The north gate stands open on working days 07:00–20:00, on rest days
// 09:00–17:00, and is closed at night 23:00–05:00 every day.

const CALENDAR = {
  holidays: [{ from: '2026-10-01', to: '2026-10-07', name: '国庆节' }, '2026-09-25'],
  workdays: ['2026-09-20', '2026-10-10'],
};
const GATE_DAY = {
  id: 'gate-day',
  windows: [
    { days: ['workday' as const], from: '07:00', to: '20:00', mode: 'passage' as const },
    { days: ['restday' as const], from: '09:00', to: '17:00', mode: 'passage' as const },
    {
      days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as Array<'mon'>,
      from: '23:00',
      to: '05:00',
      mode: 'closed' as const,
    },
  ],
};
const at = (local: string) => Date.parse(`${local}+08:00`);

t.test('the kind of each day around National Day', async (t) => {
  const cal = compileCalendar(CALENDAR);
  const rows: Array<[string, string, boolean, boolean]> = [
    // date, weekday, workday, holiday
    ['2026-09-19', 'sat', false, false],
    ['2026-09-20', 'sun', true, false], // worked instead
    ['2026-09-25', 'fri', false, true], // 中秋 (a single day in the list)
    ['2026-09-30', 'wed', true, false],
    ['2026-10-01', 'thu', false, true],
    ['2026-10-07', 'wed', false, true],
    ['2026-10-08', 'thu', true, false],
    ['2026-10-10', 'sat', true, false], // worked instead
    ['2026-10-11', 'sun', false, false],
  ];
  for (const [date, weekday, workday, holiday] of rows)
    t.match(dayKind(date, cal), { weekday, workday, holiday }, date);
});

t.test('which window applies, hour by hour across the holiday', async (t) => {
  const cal = compileCalendar(CALENDAR);
  const rows: Array<[string, string | null]> = [
    ['2026-09-30T07:30:00', 'passage'], // Wednesday, a workday: open from 07:00
    ['2026-09-30T19:59:59', 'passage'],
    ['2026-09-30T20:00:00', null], // by credential
    ['2026-09-30T23:30:00', 'closed'],
    ['2026-10-01T02:00:00', 'closed'], // the night window of the 30th, past midnight
    ['2026-10-01T07:30:00', null], // a holiday: not yet open at 07:30
    ['2026-10-01T09:00:00', 'passage'],
    ['2026-10-01T17:00:00', null],
    ['2026-10-08T07:30:00', 'passage'], // back to work
    ['2026-10-10T07:30:00', 'passage'], // Saturday worked instead: workday hours
    ['2026-10-11T07:30:00', null], // Sunday: rest-day hours
    ['2026-09-20T07:30:00', 'passage'], // Sunday worked instead
  ];
  for (const [local, mode] of rows) t.equal(scheduleAt(GATE_DAY, cal, at(local))?.mode ?? null, mode, local);
});

t.test('a typo of a year does not build a year of holidays', async (t) => {
  const cal = compileCalendar({ holidays: [{ from: '2026-10-01', to: '2126-10-07' }], workdays: [] });
  t.ok(cal.holidays.size <= 60, `${cal.holidays.size} days kept`);
});

t.test('DoorSchedules names only doors with a schedule', async (t) => {
  const s = new DoorSchedules(
    [{ id: 'GATE', schedule: 'gate-day' }, { id: 'B01-U1' }, { id: 'X', schedule: 'missing' }],
    [GATE_DAY],
    CALENDAR,
  );
  t.same(s.doorIds, ['GATE']);
  t.equal(s.at('B01-U1', at('2026-09-30T08:00:00')), null);
  t.match(s.at('GATE', at('2026-09-30T08:00:00')), { scheduleId: 'gate-day', window: 0, mode: 'passage' });
});

t.test('decisions record the schedule that applied, across the holiday', async (t) => {
  const clock = new ManualClock(at('2026-09-30T06:00:00'));
  const kit = pipelineKit(t, {
    clock,
    config: {
      doors: [
        { id: 'GATE', name: '大门', schedule: 'gate-day' },
        { id: 'B01-U1', name: '1号楼1单元', building: 'B01', entrance: 'B01-U1' },
        { id: 'B02-U1', name: '2号楼1单元', building: 'B02', entrance: 'B02-U1' },
      ],
      schedules: [GATE_DAY],
      calendar: CALENDAR,
    },
  });
  const read = async (local: string, person: string | null, reader = 'T-GATE') => {
    clock.set(at(local));
    const r = faceRead(reader, person, { ts: clock.now() - 100, receivedAt: clock.now() });
    await kit.pipeline.submit(r);
    return kit.db
      .prepare(
        `SELECT d.outcome, d.reasons, d.schedule, d.answer FROM journal j JOIN decisions d ON d.seq = j.seq
          WHERE j.record_id = ?`,
      )
      .get(r.recordId) as { outcome: string; reasons: string; schedule: string | null; answer: string };
  };
  t.match(await read('2026-09-30T08:00:00', 'F1'), {
    outcome: 'granted',
    reasons: 'ok',
    schedule: 'gate-day:passage',
  });
  t.match(
    await read('2026-09-30T08:01:00', null),
    { outcome: 'granted', reasons: 'stranger passage', schedule: 'gate-day:passage', answer: 'unlock' },
    'a stranger walks through an open gate: let through and recorded (the stranger alert stands)',
  );
  t.match(
    await read('2026-10-01T08:00:00', null),
    {
      outcome: 'denied',
      reasons: 'stranger',
      schedule: null,
    },
    'National Day, 08:00: not open yet, the gate works by credential',
  );
  t.match(await read('2026-10-01T10:00:00', 'F1'), { outcome: 'granted', schedule: 'gate-day:passage' });
  t.match(
    await read('2026-10-01T23:30:00', 'F1'),
    {
      outcome: 'denied',
      reasons: 'outside_hours',
      schedule: 'gate-day:closed',
    },
    'a resident at night: closed hours refuse every credential',
  );
  t.match(
    await read('2026-10-01T23:31:00', 'F1', 'T-GATE-OUT'),
    { outcome: 'granted', reasons: 'exit', schedule: 'gate-day:closed' },
    'nobody is locked in',
  );
  t.match(
    await read('2026-10-10T07:30:00', 'F1'),
    { schedule: 'gate-day:passage' },
    'the Saturday worked instead',
  );
  t.match(await read('2026-10-01T10:00:00', 'F1', 'T-B01'), { schedule: null }, 'a door without a schedule');
  const strangers = kit.db.prepare("SELECT count(*) FROM alerts WHERE kind = 'stranger'").pluck().get();
  t.ok((strangers as number) >= 1, 'the stranger at the open gate still raised an alert');
});
