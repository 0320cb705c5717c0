import path from 'node:path';
import t from 'tap';
import { INS_GEN_IMG } from '../../drivers/fingerprint/constants.js';
import type { RosterSnapshot } from '../../gateway/roster/model.js';
import { saveRoster } from '../../gateway/roster/repository.js';
import { openDb } from '../../gateway/store/db.js';
import { fingerprintCommand, SimFingerprintModule } from '../../sim/serial/fingerprint-module.js';

import { startGateway, TEST_ROSTER, until } from '../../testkit/gateway.js';
import { mockDevicePort } from '../../testkit/serial-devices.js';

// Issue 3, the whole gateway: a fingerprint module comes online and is synced with the
// roster; a roster import committed by another process (as `roster import` does) reaches
// the running daemon, which enrols the resident's template; the resident's finger then
// opens the door; the resident moves out and the page is deleted. /api/readers shows the
// last sync, /metrics counts it, and the logs never carry a template.

const FINGER = Buffer.alloc(512, 0x5a);

function withFinger(status: 'active' | 'moved_out'): RosterSnapshot {
  return {
    ...TEST_ROSTER,
    residents: TEST_ROSTER.residents.map((r) => (r.id === 'R00001' ? { ...r, status } : r)),
    credentials: [...TEST_ROSTER.credentials, { kind: 'fingerprint', key: '7', residentId: 'R00001' }],
    fingerprintTemplates: [{ key: '7', residentId: 'R00001', template: FINGER }],
  };
}

t.test('roster templates are enrolled on the module, and the finger opens the door', async (t) => {
  const module = new SimFingerprintModule({ capacity: 200 });
  module.library.set(3, Buffer.alloc(512, 3)); // nobody's page
  const port = mockDevicePort(t, module, '/dev/mock-fp-enrol');
  const { gw, dir, api, logs } = await startGateway(
    t,
    {
      readers: [
        {
          id: 'FP1',
          door: 'B01-U1',
          driver: 'fingerprint',
          options: { path: '/dev/mock-fp-enrol', pollMs: 40 },
        },
      ],
    },
    TEST_ROSTER,
    { serialBinding: port.binding },
  );
  const sync = async () => {
    const res = await api('/api/readers');
    const body = (await res.json()) as {
      items: Array<{ id: string; fingerprintSync?: Record<string, unknown> | null }>;
    };
    return body.items.find((r) => r.id === 'FP1')?.fingerprintSync;
  };
  const entries = () =>
    gw.db
      .prepare(
        `SELECT d.outcome, d.reasons, d.resident_id AS resident, j.credential
         FROM journal j JOIN decisions d USING (seq) ORDER BY j.seq`,
      )
      .all() as Array<{ outcome: string; reasons: string; resident: string | null; credential: string }>;

  // Online: the roster has no fingerprints yet, so the stray page goes.
  await until(async () => (await sync())?.trigger === 'online', 10_000, 'first sync');
  t.match(await sync(), { outcome: 'ok', expected: 0, orphans: 1, removed: 1, at: /^\d{4}-\d\d-\d\dT/ });
  t.same([...module.library.keys()], []);

  // `roster import` in another process: a second connection commits, the daemon notices.
  const other = openDb(path.join(dir, 'gateway.db'));
  saveRoster(other, withFinger('active'), 'merge', Date.now(), 'fp-1');
  await until(async () => (await sync())?.trigger === 'roster', 10_000, 'sync after the import');
  t.match(await sync(), { outcome: 'ok', expected: 1, missing: 1, enrolled: 1, removed: 0 });
  t.same(module.library.get(7), FINGER, 'the template is on the module at page 7');

  module.placeFinger(FINGER);
  await until(() => entries().length === 1, 5000, 'finger recorded');
  t.match(entries()[0], { outcome: 'granted', reasons: 'ok', resident: 'R00001', credential: '7' });
  module.liftFinger();

  // The resident moves out: the page is deleted, the finger becomes an unknown one.
  saveRoster(other, withFinger('moved_out'), 'merge', Date.now(), 'fp-2');
  other.close();
  await until(async () => (await sync())?.removed === 1, 10_000, 'page deleted');
  t.same([...module.library.keys()], []);
  // The finger was lifted: the next GenImg is answered "no finger", so the driver reads the next one.
  await module.expect(fingerprintCommand(INS_GEN_IMG), 5000, 'a GenImg after the lift');
  module.placeFinger(FINGER);
  await until(() => entries().length === 2, 5000, 'finger recorded again');
  t.match(entries()[1], { outcome: 'denied', reasons: 'unknown_fingerprint', resident: null });

  const metrics = await gw.metrics.registry.getSingleMetricAsString('estate_gateway_fingerprint_pages_total');
  t.match(metrics, /action="enrolled"} 1/);
  t.match(metrics, /action="removed"} 2/);
  const others = (await api('/api/readers').then((r) => r.json())) as {
    items: Array<Record<string, unknown>>;
  };
  t.notOk(
    others.items.some((r) => r.id !== 'FP1' && 'fingerprintSync' in r),
    'only fingerprint readers carry a sync state',
  );
  const text = JSON.stringify(logs);
  t.notOk(text.includes(FINGER.toString('base64').slice(0, 24)), 'no template in the logs');
  t.ok(
    logs.some((l) => l.msg === 'fingerprint library synced' && l.reader === 'FP1' && l.enrolled === 1),
    'a log line with the counts',
  );
});
