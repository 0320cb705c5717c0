import { FormatRegistry, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import t from 'tap';
import { monthlyReport } from '../../gateway/ledger/report.js';
import { type MonthlyReport, MonthlyReportSchema } from '../../gateway/ledger/report-schema.js';
import { HouseholdFile } from '../../gateway/web/schemas-households.js';
import { ReadersReply } from '../../gateway/web/schemas-status.js';
import { routeTable } from '../../gateway/web/server.js';
import { startGateway } from '../../testkit/gateway.js';

/**
 * Every route has a response schema (issue 8): the dashboard's types are the `Static<>` of
 * those schemas, and fastify serializes by them — a property a schema lacks is silently
 * dropped. So every route must declare one, and what the routes send must be what the
 * schemas say, nothing lost on the way.
 */

// TypeBox's Value.Check knows no formats of its own; the API's are ISO times and dates.
FormatRegistry.Set('date-time', (v) => /^\d{4}-\d\d-\d\dT/.test(v) && !Number.isNaN(Date.parse(v)));
FormatRegistry.Set('date', (v) => /^\d{4}-\d\d-\d\d$/.test(v));

t.test('every route declares a response schema for its success reply', async (t) => {
  const g = await startGateway(t);
  const table = routeTable(g.gw.http);
  t.ok(table.length >= 35, `${table.length} routes`);
  for (const r of table)
    t.ok(
      r.responses.some((s) => /^2\d\d$/.test(s)),
      `${r.method} ${r.url} declares ${r.responses.join(', ') || 'nothing'}`,
    );
});

t.test('the monthly report reaches the dashboard whole, and still as CSV', async (t) => {
  const g = await startGateway(t);
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const month = today.slice(0, 7);
  const post = (url: string, body: unknown) =>
    g.api(url, {
      as: 'operator',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  t.equal(
    (await post('/api/patrols', { date: today, inspector: '李', householdId: 'H1', result: 'normal' }))
      .status,
    201,
  );
  const violation = await post('/api/patrols', {
    date: today,
    inspector: '王',
    householdId: 'H2',
    result: 'violation_found',
    violation: 'overcrowding',
  });
  t.equal(violation.status, 201);
  t.equal((await post('/api/tips', { channel: 'letter', householdId: 'H1', content: '群租' })).status, 201);

  const res = await g.api(`/api/reports/monthly?month=${month}`);
  t.equal(res.status, 200);
  const sent = (await res.json()) as MonthlyReport;
  const built = monthlyReport(g.gw.db, month, sent.estate);
  t.ok(Value.Check(MonthlyReportSchema, built), 'the report as built fits its schema');
  t.same(sent, JSON.parse(JSON.stringify(built)), 'serialized by the schema, nothing dropped');
  t.same(sent.patrols.byResult, { normal: 1, violation_found: 1, nobody_home: 0 });
  t.same(sent.findings.byKind, { overcrowding: 1, suspected_sublet: 1 });
  t.equal(sent.households.length, 2);

  const csv = await g.api(`/api/reports/monthly?month=${month}&format=csv`);
  t.match(csv.headers.get('content-type'), /^text\/csv/);
  const bytes = Buffer.from(await csv.arrayBuffer());
  t.same([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'with its byte-order mark');
  const text = bytes.subarray(3).toString('utf8');
  t.match(text, /^section,key,label,building,household,value\n/, 'the CSV is sent as it is');
  t.match(text, /findings,overcrowding,疑似群租,,,1/);

  const pdf = await g.api(`/api/reports/monthly?month=${month}&format=pdf`);
  t.equal(pdf.status, 200);
  t.match(pdf.headers.get('content-type'), /^application\/pdf/);
  t.match(pdf.headers.get('content-disposition'), new RegExp(`monthly-${month}\\.pdf`));
  t.equal(
    Buffer.from(await pdf.arrayBuffer())
      .subarray(0, 5)
      .toString(),
    '%PDF-',
    'the PDF is sent as made',
  );
});

t.test('the household file and the reader list fit the schemas the dashboard reads', async (t) => {
  const g = await startGateway(t);
  const file = (await (await g.api('/api/households/H1')).json()) as Static<typeof HouseholdFile>;
  t.ok(Value.Check(HouseholdFile, file), [...Value.Errors(HouseholdFile, file)].map((e) => e.path).join());
  t.equal(file.housingType, 'gongzu');
  t.equal(file.housingTypeLabel, '公共租赁住房', 'the label from the code table');
  const search = (await (await g.api('/api/households?room=0101')).json()) as { items: unknown[] };
  const hit = search.items[0];
  t.match(hit, { id: 'H1', housingType: 'gongzu', housingTypeLabel: '公共租赁住房' });
  const readers = await (await g.api('/api/readers')).json();
  t.ok(Value.Check(ReadersReply, readers));
});
