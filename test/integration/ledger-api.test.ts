import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { stringify } from 'yaml';
import { build } from '../../gateway/build.js';
import { createLogger } from '../../gateway/log.js';
import { saveRoster } from '../../gateway/roster/repository.js';
import { encodeEmbedding } from '../../sim/embedding.js';
import { loaded } from '../../testkit/config.js';
import { FINDINGS_ROSTER, face } from '../../testkit/findings.js';
import { until } from '../../testkit/gateway.js';
import { tmpDir } from '../../testkit/tmp.js';

const OP = 'op-token-0123456789abcdef0123456789';
const VIEWER = 'viewer-token-0123456789abcdef012345';

async function start(t: Test) {
  const { dir, cleanup } = tmpDir('gwl-');
  writeFileSync(
    path.join(dir, 'secrets.yaml'),
    stringify({
      idHashKey: 'ab'.repeat(32),
      readers: {},
      api: {
        tokens: [
          { name: 'wang', token: OP, role: 'operator' },
          { name: 'v', token: VIEWER, role: 'viewer' },
        ],
      },
    }),
  );
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      logs.push(chunk.toString());
      cb();
    },
  });
  const gw = build(loaded(dir), { log: createLogger({ level: 'info', destination: sink }) });
  await gw.open();
  saveRoster(gw.db, FINDINGS_ROSTER, 'merge', Date.now(), 't1');
  await gw.start();
  t.teardown(async () => {
    await gw.stop();
    cleanup();
  });
  const call = async (method: string, url: string, body?: unknown, token: string | null = OP) => {
    const res = await fetch(gw.httpUrl + url, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: res.status, json, text };
  };
  return { gw, dir, logs, call };
}

const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();

t.test(
  'passes: operator only, clear 400s counted and logged, never a raw ID number, makes the holder known',
  async (t) => {
    const { gw, logs, call } = await start(t);
    const body = {
      kind: 'visitor',
      householdId: 'H1',
      name: '王访客',
      idNumber: '310115198001152014',
      phone: '13812345678',
      embedding: encodeEmbedding(face(33)),
      validFrom: day(-1),
      validTo: day(7),
    };
    t.equal((await call('POST', '/api/passes', body, null)).status, 401);
    t.equal((await call('POST', '/api/passes', body, VIEWER)).status, 403);
    const missing = await call('POST', '/api/passes', { ...body, validTo: undefined });
    t.equal(missing.status, 400);
    t.match(missing.json.message, /validTo/);
    const badId = await call('POST', '/api/passes', { ...body, idNumber: '310115198001152015' });
    t.equal(badId.status, 400);
    t.match(badId.json.message, /idNumber is not a valid resident ID number \(check_digit\)/);
    t.match(
      (await call('POST', '/api/passes', { ...body, householdId: 'H9' })).json.message,
      /no household H9/,
    );
    const metrics = await (
      await fetch(`${gw.httpUrl}/metrics`, { headers: { authorization: `Bearer ${OP}` } })
    ).text();
    t.match(metrics, /estate_gateway_http_bad_requests_total\{route="\/api\/passes",status="400"\} 3/);
    t.ok(
      logs.some((l) => l.includes('"bad request"') && l.includes('/api/passes')),
      'a log line',
    );
    t.notOk(
      logs.some((l) => l.includes('310115198001152015')),
      'the ID number never reaches the log',
    );
    const ok = await call('POST', '/api/passes', body);
    t.equal(ok.status, 201);
    t.match(ok.json, {
      kind: 'visitor',
      householdId: 'H1',
      idMasked: '310***********2014',
      phoneMasked: '138****5678',
      hasFace: true,
    });
    const raw = JSON.stringify(gw.db.prepare('SELECT * FROM passes').all());
    t.notOk(
      raw.includes('310115198001152014') || raw.includes('13812345678'),
      'no raw ID number or phone stored',
    );
    // The visitor's face at the entrance: known, granted as a visitor, no stranger alert.
    await gw.pipeline.submit({
      readerId: 'T-B01',
      recordId: 'v1',
      ts: Date.now(),
      receivedAt: Date.now(),
      offline: false,
      credential: { type: 'face', personId: null, score: 0.4, liveness: true, embedding: face(33, 1) },
    });
    const d = gw.db.prepare('SELECT outcome, reasons, household_id AS h FROM decisions').get() as Record<
      string,
      unknown
    >;
    t.same(d, { outcome: 'granted', reasons: 'visitor_pass', h: 'H1' });
    t.equal(gw.db.prepare("SELECT count(*) FROM alerts WHERE kind = 'stranger'").pluck().get(), 0);
    const id = ok.json.id as string;
    t.equal((await call('POST', `/api/passes/${id}/revoke`)).status, 200);
    t.equal((await call('POST', `/api/passes/${id}/revoke`)).status, 409);
    t.equal(
      ((await call('GET', '/api/passes?household=H1')).json.items as unknown[]).length,
      0,
      'revoked: not valid now',
    );
  },
);

t.test('ledger routes: a tip opens a case, transitions, hand-over download, monthly report', async (t) => {
  const { gw, call } = await start(t);
  const tip = await call('POST', '/api/tips', {
    channel: 'phone',
    householdId: 'H2',
    content: '疑似转租给陌生人',
  });
  t.equal(tip.status, 201);
  const caseId = tip.json.caseId as string;
  const c = await call('GET', `/api/cases/${caseId}`);
  t.match(c.json, {
    id: caseId,
    kind: 'suspected_sublet',
    source: 'tip',
    state: 'open',
    stateLabel: '待核实',
    allowed: ['acknowledged', 'closed'],
  });
  t.equal(
    (await call('POST', `/api/cases/${caseId}/transitions`, { to: 'acknowledged' })).status,
    400,
    'a note is required',
  );
  const refused = await call('POST', `/api/cases/${caseId}/transitions`, { to: 'handed_over', note: 'x' });
  t.equal(refused.status, 409);
  t.match(refused.json.message, /can move to acknowledged, closed/);
  t.equal(
    (await call('POST', `/api/cases/${caseId}/transitions`, { to: 'acknowledged', note: '上门核实' })).status,
    200,
  );
  const noDeadline = await call('POST', `/api/cases/${caseId}/transitions`, {
    to: 'rectification_ordered',
    note: '限期整改',
  });
  t.equal(noDeadline.status, 400);
  t.match(noDeadline.json.message, /deadline/);
  t.equal(
    (
      await call('POST', `/api/cases/${caseId}/transitions`, {
        to: 'rectification_ordered',
        note: '限期整改',
        deadline: day(15),
      })
    ).status,
    200,
  );
  t.equal((await call('GET', `/api/cases/${caseId}/handover`)).status, 409, 'no package before hand-over');
  const handed = await call('POST', `/api/cases/${caseId}/transitions`, {
    to: 'handed_over',
    note: '移交城管',
  });
  t.equal(handed.status, 200);
  t.same(
    (handed.json.timeline as Array<{ actor: string }>).map((e) => e.actor),
    ['wang', 'wang', 'wang', 'wang'],
  );
  const pkg = await call('GET', `/api/cases/${caseId}/handover`);
  t.match(pkg.json, { format: 'estate-gateway.handover/1', case: { id: caseId }, household: { id: 'H2' } });
  const patrol = await call('POST', '/api/patrols', {
    date: new Date().toISOString().slice(0, 10),
    inspector: '李',
    householdId: 'H3',
    result: 'violation_found',
    note: '多人居住',
  });
  t.equal(patrol.status, 201);
  t.ok(patrol.json.caseId, 'a violation found on patrol opens a case');
  t.match(
    (await call('POST', '/api/patrols', { date: '2026-13-01', inspector: 'x', result: 'normal' })).json
      .message,
    /date/,
  );
  const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
  const rep = await call('GET', `/api/reports/monthly?month=${month}`);
  t.match(rep.json, { patrols: { total: 1 }, cases: { opened: 2, handedOver: 1 } });
  const csv = await call('GET', `/api/reports/monthly?month=${month}&format=csv`);
  t.match(csv.text, /^section,key,label,building,household,value/);
  t.equal((await call('GET', '/api/reports/monthly?month=2026-5')).status, 400);
  const list = await call('GET', '/api/cases?state=handed_over');
  t.equal((list.json.items as unknown[]).length, 1);
  await until(
    () =>
      gw.db
        .prepare("SELECT count(*) FROM outbox WHERE body LIKE '%estate.case.handed_over%'")
        .pluck()
        .get() === 1,
  );
  t.ok(readFileSync(path.join(gw.dataDir, 'gateway.db')).length > 0);
});
