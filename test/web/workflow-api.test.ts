import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import sharp from 'sharp';
import t, { type Test } from 'tap';
import { CampaignReportSchema } from '../../gateway/ledger/campaign-report-schema.js';
import { MonthlyReportSchema } from '../../gateway/ledger/report-schema.js';
import { CaseDetail, PatrolsReply } from '../../gateway/web/ledger-schemas.js';
import * as C from '../../gateway/web/schemas-campaigns.js';
import * as W from '../../gateway/web/schemas-workflow.js';
import { startGateway, type TestGateway } from '../../testkit/gateway.js';
import { pdfText } from '../../testkit/pdftotext.js';
import { readGps, simplePdf, withGps } from '../../testkit/photos.js';

/**
 * The rest of the notice's workflow over HTTP (issue 16): uploads judged by their bytes with
 * EXIF gone and the upload slots held while a body is read; a listing patrol that opens a
 * case and is tied to a household; a hand-over to another district that receives the office's
 * feedback by API token and closes; tips whose tipster only admins read, rewarded by a second
 * admin; a campaign from opening to its report. Every reply is checked against its schema.
 */

FormatRegistry.Set('date-time', (v) => !Number.isNaN(Date.parse(v)));
FormatRegistry.Set('date', (v) => /^\d{4}-\d\d-\d\d$/.test(v));

type Role = 'viewer' | 'operator' | 'admin';
const HOME = { lat: 31.2304, lon: 121.4737 };
const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

function client(g: TestGateway) {
  const call = async (method: string, url: string, as: Role, body?: unknown) => {
    const res = await g.api(url, {
      method,
      as,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: Record<string, unknown> & { items?: Array<Record<string, unknown>> } = {};
    try {
      json = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch {}
    return { status: res.status, json, text, headers: res.headers };
  };
  const upload = async (bytes: Buffer, as: Role = 'operator', name = 'IMG_0001.jpg', type = 'image/jpeg') => {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type }), name);
    const res = await g.api('/api/evidence', { method: 'POST', as, body: form });
    return {
      status: res.status,
      json: (await res.json()) as Record<string, unknown> & { id: string; message: string },
    };
  };
  return {
    get: (url: string, as: Role = 'viewer') => call('GET', url, as),
    post: (url: string, body: unknown, as: Role = 'operator') => call('POST', url, as, body),
    upload,
  };
}

function fits(t: Test, schema: TSchema, value: unknown, what: string): void {
  t.ok(
    Value.Check(schema, value),
    `${what} fits its schema ${[...Value.Errors(schema, value)].map((e) => `${e.path}: ${e.message}`).join('; ')}`,
  );
}

const audit = (g: TestGateway, action: string) =>
  g.gw.db
    .prepare(
      'SELECT actor, target, case_id AS caseId, outcome, detail FROM audit WHERE action = ? ORDER BY seq',
    )
    .all(action) as Array<Record<string, unknown>>;

const photo = (w: number, h: number) =>
  sharp({
    create: {
      width: w,
      height: h,
      channels: 3,
      background: '#6688aa',
      noise: { type: 'gaussian', mean: 120, sigma: 30 },
    },
  })
    .jpeg()
    .toBuffer();

t.test('uploads: judged by their bytes, EXIF gone, capped while read, bounded in flight', async (t) => {
  const g = await startGateway(t, { ledger: { photos: { maxUploadMB: 1, concurrent: 1 } } });
  const api = client(g);
  const original = withGps(await photo(1600, 1200), HOME);
  t.ok(readGps(original), 'the phone photo carries its position');
  const up = await api.upload(original);
  t.equal(up.status, 201);
  fits(t, W.EvidenceFile, up.json, 'the upload reply');
  t.match(up.json, {
    kind: 'photo',
    mime: 'image/jpeg',
    width: 1600,
    height: 1200,
    url: `/api/evidence/${up.json.id}`,
  });
  const full = await g.api(`/api/evidence/${up.json.id}`);
  t.equal(full.headers.get('content-type'), 'image/jpeg');
  const stored = Buffer.from(await full.arrayBuffer());
  t.equal(readGps(stored), null, 'the served photo has no GPS position');
  t.notOk((await sharp(stored).metadata()).exif, 'and no EXIF at all');
  const thumb = await g.api(`/api/evidence/${up.json.id}/thumb`, { as: 'viewer' });
  t.equal(thumb.status, 200, 'viewers see it');
  t.ok(((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).width ?? 999) <= 320);
  t.match(audit(g, 'evidence.upload'), [{ actor: 'token:test-operator', target: up.json.id, outcome: 'ok' }]);
  t.match(
    audit(g, 'evidence.view'),
    [{ actor: 'token:test-viewer', target: up.json.id }],
    'the full view is audited',
  );

  // The browser's name and type are not believed: a PNG called .jpg, image/gif is a PNG; a
  // text file called photo.jpg, image/jpeg is refused.
  const png = await api.upload(
    await sharp(await photo(300, 300))
      .png()
      .toBuffer(),
    'operator',
    'x.jpg',
    'image/gif',
  );
  t.match(png.json, { mime: 'image/png', kind: 'photo' });
  const text = await api.upload(
    Buffer.from('<script>alert(1)</script>'),
    'operator',
    'photo.jpg',
    'image/jpeg',
  );
  t.equal(text.status, 400);
  t.match(text.json.message, /only JPEG and PNG photos and PDF documents/);
  const pdf = await api.upload(simplePdf(), 'operator', 'scan.png', 'image/png');
  t.match(pdf.json, { kind: 'document', mime: 'application/pdf', thumbUrl: null });
  const dl = await g.api(`/api/evidence/${pdf.json.id}`);
  t.match(dl.headers.get('content-disposition'), /^attachment/, 'a PDF is only a download');
  t.equal(dl.headers.get('content-security-policy'), 'sandbox');
  const big = await api.upload(Buffer.concat([await photo(100, 100), Buffer.alloc(1_200_000)]));
  t.equal(big.status, 413, 'over ledger.photos.maxUploadMB');
  t.match(big.json.message, /larger than 1 MB/);
  t.equal((await api.upload(original, 'viewer')).status, 403, 'viewers upload nothing');
  const metrics = await (await g.api('/metrics')).text();
  t.match(metrics, /estate_gateway_evidence_uploads_total\{kind="unknown",result="refused"\} 1/);
  t.match(metrics, /estate_gateway_http_bad_requests_total\{route="\/api\/evidence",status="413"\} 1/);
  t.ok(
    g.logs.some((l) => l.msg === 'upload refused' && l.code === 'BAD_TYPE'),
    'a log line per refusal',
  );
  t.notOk(JSON.stringify(g.logs).includes('photo.jpg'), 'the browser’s file name is not logged');

  // The slot (ledger.photos.concurrent: 1) is taken before the body is read: while a slow
  // upload holds it, another is refused 429 at once.
  const boundary = 'eg-slow';
  let push: (chunk: Buffer | null) => void = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      push = (chunk) => (chunk ? c.enqueue(chunk) : c.close());
    },
  });
  const head = Buffer.from(
    `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="a.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`,
  );
  push(head);
  const slow = g.api('/api/evidence', {
    method: 'POST',
    as: 'operator',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
    duplex: 'half',
  } as RequestInit);
  const probe = async () => (await api.post('/api/evidence', {})).status;
  let busy = 0;
  for (let i = 0; i < 200 && busy !== 429; i++) busy = await probe();
  t.equal(busy, 429, 'a second upload is refused while the slow one holds the slot');
  push(await photo(200, 150));
  push(Buffer.from(`\r\n--${boundary}--\r\n`));
  push(null);
  t.equal((await slow).status, 201, 'the slow upload completes');
  t.equal(await probe(), 400, 'the slot is free again (the probe reaches the multipart check)');
});

t.test('a listing patrol opens a case with the listing as evidence, tied to a household later', async (t) => {
  const g = await startGateway(t);
  const api = client(g);
  const shot = await api.upload(
    await sharp(await photo(600, 1200))
      .png()
      .toBuffer(),
  );
  const listing = {
    kind: 'listing',
    platform: 'tongcheng58',
    url: 'https://sh.58.com/zufang/123456789.shtml',
    listingId: '123456789',
    price: 3500,
    text: '测试小区 1号楼101室 整租 拎包入住',
  };
  t.equal(
    (
      await api.post('/api/patrols', {
        date: today(),
        inspector: '李巡查',
        result: 'nobody_home',
        target: listing,
      })
    ).status,
    400,
    'nobody is home at a listing',
  );
  const p = await api.post('/api/patrols', {
    date: today(),
    inspector: '李巡查',
    result: 'violation_found',
    target: listing,
    note: '网上发现本小区保障房出租信息',
    photos: [shot.json.id],
  });
  t.equal(p.status, 201);
  const caseId = p.json.caseId as string;
  const c = await api.get(`/api/cases/${caseId}`);
  fits(t, CaseDetail, c.json, 'the case');
  t.match(c.json, {
    kind: 'listed_for_rent',
    source: 'patrol',
    householdId: null,
    summary: /网络房源巡查发现违规 \(58同城 123456789\)/,
    evidence: {
      target: 'listing',
      platform: 'tongcheng58',
      url: listing.url,
      price: 3500,
      photos: [shot.json.id],
    },
    files: [{ id: shot.json.id, kind: 'photo' }],
  });
  t.equal(
    (
      await api.post('/api/patrols', {
        date: today(),
        inspector: 'x',
        result: 'normal',
        photos: [shot.json.id],
      })
    ).status,
    400,
    'a photo is evidence of one record',
  );

  const sug = await api.get(`/api/patrols/suggestions?text=${encodeURIComponent(listing.text)}`, 'operator');
  fits(t, W.SuggestReply, sug.json, 'the suggestions');
  t.match(sug.json.items, [{ householdId: 'H1', room: '0101', score: 1 }]);
  const link = await api.post(`/api/patrols/${p.json.id}/household`, { householdId: 'H1' });
  t.same(link.json, { id: p.json.id, householdId: 'H1', caseId });
  t.match((await api.get(`/api/cases/${caseId}`)).json, {
    householdId: 'H1',
    buildingId: 'B01',
    room: '0101',
  });
  t.equal(
    (await api.post(`/api/patrols/${p.json.id}/household`, { householdId: 'H2' })).status,
    409,
    'tied once',
  );
  // Handed over, the package refers to the screenshot by id and checksum: no path, no image.
  for (const [to, extra] of [
    ['acknowledged', {}],
    ['rectification_ordered', { deadline: new Date(Date.now() + 86_400_000).toISOString() }],
    ['handed_over', {}],
  ] as const)
    t.equal(
      (await api.post(`/api/cases/${caseId}/transitions`, { to, note: '—', ...extra })).status,
      200,
      to,
    );
  const pkg = await api.get(`/api/cases/${caseId}/handover`);
  t.match(pkg.json.files, [
    {
      ref: `evidence:${shot.json.id}`,
      kind: 'photo',
      of: 'patrol',
      mime: 'image/png',
      sha256: shot.json.sha256,
    },
  ]);
  t.notOk(/evidence\/|base64|"data":/.test(pkg.text), 'no path, no embedded image');
  t.match(audit(g, 'patrol.link'), [{ target: p.json.id, outcome: 'ok' }, { outcome: 'refused' }]);

  const agency = await api.post('/api/patrols', {
    date: today(),
    inspector: '李巡查',
    result: 'normal',
    target: { kind: 'agency', name: '我爱我家(阳光店)', address: '阳光路12号' },
  });
  t.equal(agency.status, 201);
  await api.post('/api/patrols', { date: today(), inspector: '李巡查', householdId: 'H2', result: 'normal' });
  const list = await api.get('/api/patrols?target=listing');
  fits(t, PatrolsReply, list.json, 'the patrol list');
  t.match(list.json.items, [
    { id: p.json.id, target: { kind: 'listing', platform: 'tongcheng58' }, photos: [{ id: shot.json.id }] },
  ]);
  t.equal(list.json.items?.length, 1);
  const month = today().slice(0, 7);
  const r = (await api.get(`/api/reports/monthly?month=${month}`)).json;
  fits(t, MonthlyReportSchema, r, 'the monthly report');
  t.match(r, {
    patrols: { total: 1, byResult: { normal: 1, violation_found: 0 } },
    targets: { agency: { patrols: 1, violations: 0 }, listing: { patrols: 1, violations: 1 } },
  });
  const csv = (await api.get(`/api/reports/monthly?month=${month}&format=csv`)).text;
  t.match(csv, /targets,listing_violations,网络房源发现违规,,,1/);
});

t.test(
  'a hand-over to another district receives the office’s feedback by API token and closes',
  async (t) => {
    const g = await startGateway(t);
    const api = client(g);
    const tip = await api.post('/api/tips', { channel: 'phone', householdId: 'H1', content: '疑似转租' });
    const id = tip.json.caseId as string;
    const move = (body: Record<string, unknown>) => api.post(`/api/cases/${id}/transitions`, body);
    t.equal(
      (await move({ to: 'acknowledged', note: '核实', district: 'minhang' })).status,
      400,
      'a district goes with a hand-over only',
    );
    await move({ to: 'acknowledged', note: '核实' });
    await move({
      to: 'rectification_ordered',
      note: '限期',
      deadline: new Date(Date.now() + 86_400_000).toISOString(),
    });
    const handed = await move({
      to: 'handed_over',
      note: '承租人户籍在闵行，移交闵行区',
      district: 'minhang',
      office: '闵行区城管执法局',
    });
    t.match(handed.json.enforcement, {
      district: 'minhang',
      districtLabel: '闵行区',
      crossDistrict: true,
      office: '闵行区城管执法局',
      result: null,
    });
    const doc = await api.upload(simplePdf());
    const fb = {
      receivedDate: today(),
      officeRef: '闵城管罚〔2026〕88号',
      result: 'eviction',
      note: '依法收回房屋',
      document: doc.json.id,
    };
    t.equal((await api.post(`/api/cases/${id}/feedback`, fb, 'viewer')).status, 403);
    // The district's system records it with its own API token (operator role).
    const done = await api.post(`/api/cases/${id}/feedback`, { ...fb, document: undefined });
    t.equal(done.status, 200);
    fits(t, CaseDetail, done.json, 'the closed case');
    t.match(done.json, {
      state: 'closed',
      enforcement: {
        result: 'eviction',
        resultLabel: '收回房屋',
        officeRef: fb.officeRef,
        recordedBy: 'test-operator',
      },
    });
    t.match((done.json.timeline as unknown[]).at(-1), { state: 'closed', note: /城管反馈：收回房屋/ });
    const again = await api.post(`/api/cases/${id}/feedback`, { ...fb, document: undefined });
    t.equal(again.status, 200, 'the same feedback again (a retry) answers the case');
    t.equal(
      (await api.post(`/api/cases/${id}/feedback`, { ...fb, result: 'penalty', document: undefined })).status,
      409,
    );
    t.match(audit(g, 'case.feedback'), [
      { actor: 'token:test-operator', caseId: id, outcome: 'ok' },
      { outcome: 'ok', detail: /"repeated":true/ },
      { outcome: 'refused', detail: /FEEDBACK_EXISTS/ },
    ]);
    const closed = JSON.parse(
      g.gw.db
        .prepare("SELECT body FROM outbox WHERE body LIKE '%estate.case.closed%'")
        .pluck()
        .get() as string,
    );
    t.match(
      closed.data,
      { state: 'closed', enforcement: { result: 'eviction', district: 'minhang' } },
      'upstream learns the result',
    );
    const r = (await api.get(`/api/reports/monthly?month=${today().slice(0, 7)}`)).json;
    t.match(r, { enforcement: { crossDistrict: 1, feedback: 1, byResult: { eviction: 1, penalty: 0 } } });
  },
);

t.test(
  'tips: the tipster for admins only; a reward for a tip that proved true, decided by another',
  async (t) => {
    const g = await startGateway(t);
    const api = client(g);
    const tip = await api.post('/api/tips', {
      channel: 'phone',
      householdId: 'H1',
      content: '邻居反映每天有陌生人出入',
      tipster: { name: '王建国', phone: '139-0000-1111' },
    });
    const tid = tip.json.id as string;
    const cid = tip.json.caseId as string;
    const as = async (role: Role) => (await api.get(`/api/tips/${tid}`, role)).json;
    fits(t, W.Tip, await as('viewer'), 'a tip');
    t.match(await as('viewer'), {
      contact: { name: '王**', phone: '139****1111', masked: true },
      content: /仅操作员可见/,
    });
    t.match(await as('operator'), {
      contact: { name: '王**', masked: true },
      content: '邻居反映每天有陌生人出入',
    });
    t.match(await as('admin'), { contact: { name: '王建国', phone: '13900001111', masked: false } });
    t.match(
      audit(g, 'tip.view'),
      [{ actor: 'token:test-admin', target: tid }],
      'the admin’s reading is audited',
    );
    t.notOk((await api.get('/api/tips', 'operator')).text.includes('王建国'));
    t.notOk(JSON.stringify(g.logs).includes('13900001111'), 'the phone is not logged');

    const reward = { kind: 'cash', amountYuan: 500, note: '举报属实，建议奖励' };
    const early = await api.post(`/api/tips/${tid}/reward`, reward);
    t.equal(early.status, 409);
    t.match(early.json.message, /has not proved true/);
    await api.post(`/api/cases/${cid}/transitions`, { to: 'acknowledged', note: '核实' });
    await api.post(`/api/cases/${cid}/transitions`, { to: 'dissuaded', note: '已劝阻' });
    const proposed = await api.post(`/api/tips/${tid}/reward`, reward, 'admin');
    t.match(proposed.json, {
      substantiated: true,
      reward: { state: 'proposed', amountYuan: 500, proposedBy: 'test-admin' },
    });
    const self = await api.post(
      `/api/tips/${tid}/reward/decision`,
      { decision: 'approved', note: '同意' },
      'admin',
    );
    t.equal(self.status, 409, 'the proposer does not decide');
    t.equal(
      (await api.post(`/api/tips/${tid}/reward/decision`, { decision: 'approved', note: 'x' }, 'operator'))
        .status,
      403,
    );
    // A second tip, proposed by an operator, approved by the admin.
    const tip2 = await api.post('/api/tips', { channel: 'letter', householdId: 'H2', content: '群租' });
    await api.post(`/api/cases/${tip2.json.caseId}/transitions`, { to: 'acknowledged', note: '核实' });
    await api.post(`/api/cases/${tip2.json.caseId}/transitions`, { to: 'dissuaded', note: '劝阻' });
    await api.post(`/api/tips/${tip2.json.id}/reward`, { kind: 'commendation', note: '通报表彰' });
    const approved = await api.post(
      `/api/tips/${tip2.json.id}/reward/decision`,
      { decision: 'approved', note: '同意' },
      'admin',
    );
    t.match(approved.json, { reward: { state: 'approved', stateLabel: '已批准', decidedBy: 'test-admin' } });
    const list = await api.get('/api/tips?reward=approved');
    fits(t, W.TipsReply, list.json, 'the tip list');
    t.same(
      list.json.items?.map((x) => x.id),
      [tip2.json.id],
    );
    const r = (await api.get(`/api/reports/monthly?month=${today().slice(0, 7)}`)).json;
    t.match(r, { tips: { received: 2, substantiated: 2, rewarded: 1 } });
  },
);

t.test(
  'a tip’s words: operators read them without the phone and ID numbers written in; admins in full',
  async (t) => {
    const g = await startGateway(t);
    const api = client(g);
    const words = '我是王建国，电话13812345678，身份证310101199001011234，1号楼0101有人转租';
    const tip = await api.post('/api/tips', {
      channel: 'phone',
      householdId: 'H1',
      content: words,
      tipster: { name: '王建国', phone: '138-1234-5678' },
    });
    t.equal(tip.status, 201);
    const tid = tip.json.id as string;
    const cid = tip.json.caseId as string;
    const seen = {
      tip: (await api.get(`/api/tips/${tid}`, 'operator')).json.content as string,
      list: (await api.get('/api/tips', 'operator')).text,
      case: JSON.stringify((await api.get(`/api/cases/${cid}`, 'operator')).json.evidence),
      file: JSON.stringify((await api.get('/api/households/H1', 'operator')).json.cases),
    };
    for (const [where, text] of Object.entries(seen)) {
      t.notOk(text.includes('13812345678'), `${where}: no tipster phone for an operator`);
      t.notOk(text.includes('310101199001011234'), `${where}: no ID number`);
      t.match(text, /1号楼0101有人转租/, `${where}: the words are still there`);
    }
    t.match(seen.tip, /138\*{4}5678/);
    t.notOk(seen.tip.includes('王建国'), 'nor the tipster’s name');
    t.equal((await api.get(`/api/tips/${tid}`, 'admin')).json.content, words, 'an admin reads it in full');
    t.match(JSON.stringify((await api.get(`/api/cases/${cid}`, 'admin')).json.evidence), /13812345678/);
  },
);

t.test('a campaign over HTTP: opened by an admin, visited by operators, reported upstream', async (t) => {
  const g = await startGateway(t);
  const api = client(g);
  const body = { name: '2026年度全面排查', from: today(), to: today(), reportDue: today() };
  t.equal((await api.post('/api/campaigns', body, 'operator')).status, 403, 'admins open campaigns');
  t.match((await api.post('/api/campaigns', { ...body, buildings: ['B09'] }, 'admin')).json, {
    statusCode: 400,
    message: /no building B09/,
  });
  const c = await api.post('/api/campaigns', body, 'admin');
  t.equal(c.status, 201);
  fits(t, C.Campaign, c.json, 'the campaign');
  const id = c.json.id as string;
  t.match(c.json, { households: 2, reached: 0, state: 'open', stateLabel: '排查中' });
  const visit = (v: Record<string, unknown>) => api.post(`/api/campaigns/${id}/visits`, v);
  const missing = await visit({ householdId: 'H1', result: 'normal' });
  t.equal(missing.status, 400);
  t.match(missing.json.message, /不漏一人/);
  t.equal(
    (
      await visit({
        householdId: 'H1',
        result: 'violation_found',
        violation: 'suspected_sublet',
        persons: [{ residentId: 'R00001', check: 'absent' }],
        unregistered: [{ name: '钱某', relation: '租客' }],
      })
    ).status,
    201,
  );
  t.match((await visit({ householdId: 'H2', result: 'nobody_home' })).json, {
    status: 'nobody_home',
    revisitDue: /^\d{4}-/,
  });
  const detail = await api.get(`/api/campaigns/${id}`);
  fits(t, C.CampaignDetail, detail.json, 'the progress');
  t.match(detail.json, {
    byStatus: { violation_found: 1, nobody_home: 1 },
    byInspector: [{ inspector: 'test-operator', visits: 2 }],
  });
  const hh = await api.get(`/api/campaigns/${id}/households/H1`);
  fits(t, C.CampaignHouseholdDetail, hh.json, 'the household at the door');
  t.match(hh.json, {
    residents: [{ id: 'R00001', name: '张*' }],
    visits: [{ persons: [{ name: '张*' }, { name: '钱*' }] }],
  });
  t.notOk(hh.text.includes('钱某') || hh.text.includes('张伟'), 'a viewer sees names masked');
  t.match((await api.get(`/api/campaigns/${id}/households/H1`, 'operator')).json, {
    residents: [{ name: '张伟' }],
  });
  const report = await api.get(`/api/campaigns/${id}/report`);
  fits(t, CampaignReportSchema, report.json, 'the report');
  t.match(report.json, {
    coverage: { households: 2, reached: 1, rate: 0.5 },
    persons: { unregistered: 1 },
    unreached: [{ householdId: 'H2' }],
  });
  const csv = await api.get(`/api/campaigns/${id}/report?format=csv`);
  t.match(csv.headers.get('content-disposition'), `campaign-${id}.csv`);
  t.match(csv.text, /coverage,rate,覆盖率,,,50\.0%/);
  // The server's PDF (导出PDF): the same roles as the JSON (a viewer reads it), audited as an export.
  const pdfUrl = `/api/campaigns/${id}/report?format=pdf`;
  t.equal((await g.api(pdfUrl, { as: null })).status, 401, 'no PDF without a session or token');
  const pdfRes = await g.api(pdfUrl, { as: 'viewer' });
  t.equal(pdfRes.status, 200);
  t.match(pdfRes.headers.get('content-type'), /^application\/pdf/);
  t.match(pdfRes.headers.get('content-disposition'), `campaign-${id}.pdf`);
  const pdf = Buffer.from(await pdfRes.arrayBuffer());
  t.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const pdfLines = pdfText(pdf, { layout: true });
  for (const s of [
    '2026年度全面排查 排查报告',
    '应排查户数 2',
    '覆盖率 50.0%',
    '疑似转租 1',
    '（H2）：无人在家',
  ])
    t.ok(pdfLines.includes(s), `the PDF reads back "${s}"`);
  t.equal((await api.get(`/api/campaigns/${id}/report?format=docx`)).status, 400, 'an unknown format');
  t.equal((await api.get('/api/campaigns/cp-none/report?format=pdf')).status, 404);
  const exports = audit(g, 'report.export').filter((a) => a.target === `campaign:${id}`);
  t.equal(exports.length, 2, 'the CSV and the PDF exports audited');
  t.match(exports[1], { outcome: 'ok', detail: /"format":\s*"pdf"/ });
  t.equal((await api.post(`/api/campaigns/${id}/report`, undefined, 'operator')).status, 403);
  const sent = await api.post(`/api/campaigns/${id}/report`, undefined, 'admin');
  t.equal(sent.status, 201);
  fits(t, C.ReportSent, sent.json, 'the sending');
  const ev = JSON.parse(
    g.gw.db.prepare('SELECT body FROM outbox WHERE event_id = ?').pluck().get(sent.json.eventId) as string,
  );
  t.match(ev, { type: 'estate.report.campaign', data: { campaign: { id }, coverage: { households: 2 } } });
  t.equal((await api.post(`/api/campaigns/${id}/close`, undefined, 'admin')).json.state, 'closed');
  t.equal(
    (await visit({ householdId: 'H2', result: 'nobody_home' })).status,
    409,
    'a closed campaign takes no visits',
  );
  t.match(
    audit(g, 'campaign.visit').map((a) => a.outcome),
    ['refused', 'ok', 'ok', 'refused'],
  );
});
