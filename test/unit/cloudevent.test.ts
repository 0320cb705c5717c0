import t from 'tap';
import { cloudEvent, eventSource } from '../../core/cloudevent.js';

// design.md §7 is normative: these are the exact bytes the upstream received before the
// envelope had one builder (issue 8). A change here breaks every upstream integration.

const S = eventSource('SH-1', 'gw-1');
const T = Date.parse('2026-05-01T07:30:12.345+08:00');
const HEAD = `{"specversion":"1.0"`;
const TAIL = `"source":"urn:estate:SH-1:gateway:gw-1"`;

t.test('every family of event, byte for byte', async (t) => {
  const rows: Array<[string, Parameters<typeof cloudEvent>[1], string]> = [
    [
      'an alert of a household',
      { id: 'al-1', type: 'estate.alert.stranger', time: T, subject: 'H1', data: { a: 1 } },
      `${HEAD},"id":"al-1",${TAIL},"type":"estate.alert.stranger","time":"2026-04-30T23:30:12.345Z","datacontenttype":"application/json","data":{"a":1},"subject":"H1"}`,
    ],
    [
      'an alert of no household: no subject at all',
      { id: 'al-2', type: 'estate.alert.device_offline', time: T, subject: null, data: { a: 1 } },
      `${HEAD},"id":"al-2",${TAIL},"type":"estate.alert.device_offline","time":"2026-04-30T23:30:12.345Z","datacontenttype":"application/json","data":{"a":1}}`,
    ],
    [
      'an access record',
      { id: 'ac-1', type: 'estate.access.denied', time: T, subject: null, data: { a: 1 } },
      `${HEAD},"id":"ac-1",${TAIL},"type":"estate.access.denied","time":"2026-04-30T23:30:12.345Z","datacontenttype":"application/json","data":{"a":1}}`,
    ],
    [
      'a ledger transition',
      { id: 'ce-C1-3', type: 'estate.case.dissuaded', time: T, subject: 'H1', data: { a: 1 } },
      `${HEAD},"id":"ce-C1-3",${TAIL},"type":"estate.case.dissuaded","time":"2026-04-30T23:30:12.345Z","datacontenttype":"application/json","data":{"a":1},"subject":"H1"}`,
    ],
    [
      'the health report',
      { id: 'health-gw-1', type: 'estate.gateway.health', time: T, data: { a: 1 } },
      `${HEAD},"id":"health-gw-1",${TAIL},"type":"estate.gateway.health","time":"2026-04-30T23:30:12.345Z","datacontenttype":"application/json","data":{"a":1}}`,
    ],
    [
      'the monthly report (issue 14)',
      { id: 'report-monthly-SH-1-2026-04', type: 'estate.report.monthly', time: T, data: { a: 1 } },
      `${HEAD},"id":"report-monthly-SH-1-2026-04",${TAIL},"type":"estate.report.monthly","time":"2026-04-30T23:30:12.345Z","datacontenttype":"application/json","data":{"a":1}}`,
    ],
    [
      'a signed hand-over package (issue 14)',
      { id: 'hp-C1', type: 'estate.handover.package', time: T, subject: 'H1', data: { a: 1 } },
      `${HEAD},"id":"hp-C1",${TAIL},"type":"estate.handover.package","time":"2026-04-30T23:30:12.345Z","datacontenttype":"application/json","data":{"a":1},"subject":"H1"}`,
    ],
    [
      'an empty household id is no subject',
      { id: 'ac-2', type: 'estate.access.granted', time: T, subject: '', data: null },
      `${HEAD},"id":"ac-2",${TAIL},"type":"estate.access.granted","time":"2026-04-30T23:30:12.345Z","datacontenttype":"application/json","data":null}`,
    ],
  ];
  for (const [name, init, want] of rows) t.equal(JSON.stringify(cloudEvent(S, init)), want, name);
});

t.test('the type is one of the families of design.md §7', async (t) => {
  // @ts-expect-error a misspelled family must not compile
  const bad = cloudEvent(S, { id: 'x', type: 'estate.alrt.stranger', time: T, data: {} });
  // @ts-expect-error nor an access outcome that does not exist
  cloudEvent(S, { id: 'y', type: 'estate.access.maybe', time: T, data: {} });
  t.equal(bad.type, 'estate.alrt.stranger', 'the check is the compiler’s; the function adds none');
});
