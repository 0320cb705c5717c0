import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { redactUrl } from '../../gateway/redact-url.js';
import { parseRoster } from '../../gateway/roster/import.js';
import { maskText } from '../../gateway/web/mask-text.js';
import { UiAssets } from '../../gateway/web/ui-assets.js';
import { startGateway } from '../../testkit/gateway.js';
import { startMosquitto } from '../../testkit/mosquitto.js';

/** Issue 9 item 9: the smaller leaks, each probed. */

const KEY = 'ab'.repeat(32);

t.test('a 500 says nothing of its cause to the caller, and names the log line that does', async (t) => {
  const g = await startGateway(t);
  g.gw.db.exec('DROP TABLE cases');
  const res = await g.api('/api/cases');
  t.equal(res.status, 500);
  const body = (await res.json()) as { message: string; requestId: string };
  t.notMatch(body.message, /no such table|cases|sqlite/i, 'no SQLite text');
  t.ok(body.requestId, 'a request id');
  t.match(body.message, body.requestId);
  const line = g.logs.find((l) => l.msg === 'request failed');
  t.equal(line?.reqId, body.requestId, 'the log line with the cause carries the same id');
  t.match(JSON.stringify(line?.err), /no such table/, 'and the cause');
});

t.test('/healthz: the status for anyone, the rest with a token or a session', async (t) => {
  const g = await startGateway(t);
  const anon = await fetch(`${g.httpUrl}/healthz`);
  t.equal(anon.status, 200);
  t.same(await anon.json(), { status: 'ok' }, 'no ids, version, roster size or upstream error');
  const full = (await (await g.api('/healthz')).json()) as Record<string, unknown>;
  t.match(full, { status: 'ok', estateId: 'SH-TEST', gatewayId: 'gw-t', roster: { residents: 3 } });
  const forged = await fetch(`${g.httpUrl}/healthz`, { headers: { authorization: 'Bearer not-a-token' } });
  t.same(await forged.json(), { status: 'ok' }, 'a wrong token sees what anyone sees');
});

t.test('thumbnails: no-store, audited once per caller and hour, no way out of thumbs/', async (t) => {
  const g = await startGateway(t);
  const rel = 'thumbs/2026-05-01/0123456789abcdef0123.webp';
  mkdirSync(path.join(g.dir, 'thumbs/2026-05-01'), { recursive: true });
  writeFileSync(path.join(g.dir, rel), 'RIFF');
  symlinkSync(
    path.join(g.dir, 'secrets.yaml'),
    path.join(g.dir, 'thumbs/2026-05-01/aaaaaaaaaaaaaaaaaaaa.webp'),
  );
  for (let i = 0; i < 3; i++) {
    const res = await g.api(`/api/${rel}`);
    t.equal(res.status, 200);
    t.equal(res.headers.get('cache-control'), 'no-store');
    t.equal(await res.text(), 'RIFF');
  }
  const rows = g.gw.db.prepare("SELECT actor, target FROM audit WHERE action = 'thumb.view'").all();
  t.same(rows, [{ actor: 'token:test-viewer', target: rel }], 'one audit row for three looks');
  t.match(
    await (await g.api('/metrics')).text(),
    /estate_gateway_audit_suppressed_total\{action="thumb.view"\} 2/,
  );
  t.equal(
    (await g.api('/api/thumbs/2026-05-01/aaaaaaaaaaaaaaaaaaaa.webp')).status,
    400,
    'a link out is refused',
  );
  t.equal((await g.api('/api/thumbs/..%2Fsecrets.yaml')).status, 400);
  t.equal((await g.api('/api/thumbs/2026-05-01/ffffffffffffffffffff.webp')).status, 404);
});

t.test('viewers read notes, summaries and timeline notes masked', async (t) => {
  const g = await startGateway(t);
  const NOTE = '张伟说其表弟李四住这，身份证310101199001011234，电话13812345678，座机021-62345678';
  const post = await g.api('/api/patrols', {
    as: 'operator',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      date: '2026-05-01',
      inspector: '李',
      householdId: 'H1',
      result: 'violation_found',
      note: NOTE,
    }),
  });
  const { caseId } = (await post.json()) as { caseId: string };
  await g.api(`/api/cases/${caseId}/transitions`, {
    as: 'operator',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ to: 'acknowledged', note: '已联系李娜 13912345678' }),
  });
  const read = async (p: string, as: 'viewer' | 'operator') =>
    JSON.stringify(await (await g.api(p, { as })).json());
  for (const p of ['/api/patrols', `/api/cases/${caseId}`, '/api/households/H1', '/api/cases']) {
    const v = await read(p, 'viewer');
    for (const secret of ['张伟', '李娜', '310101199001011234', '13812345678', '13912345678', '62345678'])
      t.notOk(v.includes(secret), `${p}: a viewer does not read ${secret}`);
    t.match(v, /张\*|310\*+1234|138\*+5678/, `${p}: masked forms are shown`);
    t.ok((await read(p, 'operator')).includes('13812345678'), `${p}: an operator reads the note as written`);
  }
  t.equal(
    maskText('ID 31010119900101123X and 310101900101123, card 123456789012345678901', []),
    'ID 310***********123X and 310********1123, card 123456789012345678901',
    'ID numbers masked; longer digit runs are not ID numbers',
  );
  t.equal(maskText('欧阳娜娜和欧阳', ['欧阳', '欧阳娜娜']), '欧***和欧*', 'longest name first');
});

t.test('the started line does not print broker credentials; CSV errors quote nothing', async (t) => {
  const broker = await startMosquitto();
  t.teardown(() => broker.stop());
  const url = broker.url.replace('mqtt://', 'mqtt://gw-user:s3cret-pw@');
  const g = await startGateway(t, { mqtt: { url } });
  const started = g.logs.find((l) => l.msg === 'gateway started');
  t.match(started?.broker, /^mqtt:\/\/gw-user:redacted@127\.0\.0\.1:\d+\/?$/);
  t.notOk(JSON.stringify(g.logs).includes('s3cret-pw'), 'the password is in no log line');
  t.equal(redactUrl('https://h/x?token=abc'), 'https://h/x');
  t.equal(redactUrl('not a url'), '//[unparsable URL]');

  const csv =
    'household_id,building,room,housing_type,resident_id,role,name,id_number\n' +
    'H1,B1,101,gongzu,R1,leaseholder,"张三 310101199001011234,x\n';
  const r = parseRoster(csv, 'csv', KEY);
  const text = JSON.stringify(r.errors);
  t.match(text, /not valid CSV/);
  t.notOk(text.includes('310101199001011234'), 'the ID number is not repeated');
  t.notOk(text.includes('张三'), 'nor the name');
  const json = parseRoster('{"households": [ 310101199001011234 张三 ]}', 'json', KEY);
  t.notOk(JSON.stringify(json.errors).includes('310101199001011234'), 'JSON errors neither');
});

t.test(
  'dashboard files: a request picks an entry of a fixed list, never a file, never grows a cache',
  async (t) => {
    const { tmpDir } = await import('../../testkit/tmp.js');
    const { dir, cleanup } = tmpDir('ui-');
    t.teardown(cleanup);
    writeFileSync(path.join(dir, 'a.css'), 'body{}');
    const assets = new UiAssets(new Map([['/ui/a.css', path.join(dir, 'a.css')]]));
    const found = Array.from({ length: 1000 }, (_, i) => assets.get(`/ui/${i}/../../../etc/passwd`));
    t.ok(
      found.every((a) => a === null),
      'made-up paths find nothing',
    );
    t.equal(assets.cached, 0, 'unknown paths are not remembered');
    t.equal(assets.get('/ui/a.css')?.body.toString(), 'body{}');
    t.equal(assets.cached, 1);
  },
);
