import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import { stringify } from 'yaml';
import type { CredentialRead } from '../../core/contracts.js';
import { build } from '../../gateway/build.js';
import { createLogger } from '../../gateway/log.js';
import type { RosterSnapshot } from '../../gateway/roster/model.js';
import { saveRoster } from '../../gateway/roster/repository.js';
import { loaded } from '../../testkit/config.js';
import { FINDINGS_ROSTER, face } from '../../testkit/findings.js';
import { tmpDir } from '../../testkit/tmp.js';

const OP = 'op-token-0123456789-0123456789-0123';
const VIEWER = 'viewer-token-0123456789-0123456789';
const DAY = 86_400_000;

/** The test roster, with R3 (H2) and R4 (H3) on cards only: no enrolled face. */
const ROSTER: RosterSnapshot = {
  ...FINDINGS_ROSTER,
  residents: FINDINGS_ROSTER.residents.map((r) => ({
    ...r,
    name: r.id === 'R3' ? '张伟' : r.id === 'R4' ? '李娜' : r.name,
  })),
  credentials: [
    ...FINDINGS_ROSTER.credentials.filter((c) => c.residentId !== 'R3' && c.residentId !== 'R4'),
    { kind: 'card', key: 'C3', residentId: 'R3' },
    { kind: 'card', key: 'C4', residentId: 'R4' },
  ],
};

// Issue 10 item 2: "probably 张** — enrol this face?", an operator action, audited; the face stays on the box.
t.test('a card-only resident’s learnt face is offered, enrolled or turned down by an operator', async (t) => {
  const { dir, cleanup } = tmpDir('gwf-');
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
  const gw = build(loaded(dir, { detectors: { credentialShared: { suggestDays: 5 } } }), {
    log: createLogger({ level: 'info', destination: sink }),
  });
  await gw.open();
  saveRoster(gw.db, ROSTER, 'merge', Date.now(), 't1');
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
    return { status: res.status, json: (await res.json()) as Record<string, unknown>, text: '' };
  };
  let n = 0;
  const read = (ts: number, credential: CredentialRead['credential']) =>
    gw.pipeline.submit({
      readerId: 'T-B01',
      recordId: `r${++n}`,
      ts,
      receivedAt: ts,
      offline: true,
      credential,
    });
  // Eight days of R3 and R4 swiping their cards, their faces captured 2 s later, unregistered.
  const t0 = Date.now() - 10 * DAY;
  for (let d = 0; d < 8; d++) {
    for (const [k, card, who] of [
      [0, 'C3', 30],
      [1, 'C4', 40],
    ] as const) {
      const at = t0 + d * DAY + k * 3600_000;
      await read(at, { type: 'card', uid: card });
      await read(at + 2000, {
        type: 'face',
        personId: null,
        score: 0.4,
        liveness: true,
        embedding: face(who, d % 2),
      });
      await read(at + 60_000, { type: 'card', uid: `FF00${d}${k}` }); // the window passes at the reader
    }
  }
  const file = await call('GET', '/api/households/H2', undefined, VIEWER);
  const offers = file.json.faceOffers as Array<Record<string, unknown>>;
  t.equal(offers.length, 1);
  t.match(offers[0], {
    residentId: 'R3',
    name: '张*',
    credential: '卡 ****C3',
    state: 'offered',
    stateLabel: '待确认',
  });
  t.ok((offers[0]?.days as number) >= 5);
  t.notOk(JSON.stringify(file.json).includes('embedding'), 'no embedding in the file');

  const faceId = offers[0]?.faceId as number;
  const url = `/api/households/H2/face-offers/${faceId}`;
  t.equal((await call('POST', url, { decision: 'enrol' }, null)).status, 401);
  t.equal((await call('POST', url, { decision: 'enrol' }, VIEWER)).status, 403, 'operators only');
  t.equal((await call('POST', url, { decision: 'maybe' })).status, 400);
  t.equal(
    (await call('POST', `/api/households/H3/face-offers/${faceId}`, { decision: 'enrol' })).status,
    404,
  );
  const ok = await call('POST', url, { decision: 'enrol' });
  t.equal(ok.status, 200);
  t.match(ok.json, { state: 'enrolled', decidedBy: 'wang' });
  t.equal((await call('POST', url, { decision: 'reject' })).status, 409, 'decided once');
  const audit = gw.db
    .prepare("SELECT actor, action, household_id AS h, target, detail FROM audit WHERE action LIKE 'face.%'")
    .all();
  t.match(audit, [{ actor: 'wang', action: 'face.enrol', h: 'H2', target: 'R3' }]);
  const model = gw.patterns?.carriers.models.get('card:C3');
  t.equal(
    model?.faces.find((f) => f.id === faceId)?.holder,
    'enrolled',
    'the detectors take it for R3 for good',
  );

  // R4's: not the resident. The face is no longer taken for R4, and its embedding goes.
  const h3 = await call('GET', '/api/households/H3');
  const other = (h3.json.faceOffers as Array<Record<string, unknown>>)[0];
  t.match(other, { residentId: 'R4', name: '李*' });
  const no = await call('POST', `/api/households/H3/face-offers/${other?.faceId}`, { decision: 'reject' });
  t.match(no.json, { state: 'rejected', stateLabel: '非本人' });
  t.equal(
    gw.db.prepare('SELECT embedding FROM face_offers WHERE face_id = ?').pluck().get(other?.faceId),
    null,
    'a turned-down face is not kept',
  );
  t.equal(
    gw.patterns?.carriers.models.get('card:C4')?.faces.find((f) => f.id === other?.faceId)?.rejected,
    true,
  );
  t.notOk(
    logs.some((l) => /张伟|李娜/.test(l)),
    'no names in the log',
  );
});
