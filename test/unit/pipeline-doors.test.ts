import path from 'node:path';
import t, { type Test } from 'tap';
import { systemClock } from '../../core/clock.js';
import type { Credential, CredentialRead, DoorCommand } from '../../core/contracts.js';
import { hashIdNumber } from '../../core/id-number.js';
import { AlertManager } from '../../gateway/alerts/alert-manager.js';
import { DeviceRegistry } from '../../gateway/devices.js';
import { LiveBus } from '../../gateway/live-bus.js';
import { silentLogger } from '../../gateway/log.js';
import { createMetrics } from '../../gateway/metrics.js';
import { Pipeline } from '../../gateway/pipeline/pipeline.js';
import { Thumbnailer } from '../../gateway/pipeline/thumbnails.js';
import { RosterIndex } from '../../gateway/roster/roster-index.js';
import { RosterState } from '../../gateway/roster/roster-state.js';
import { openDb } from '../../gateway/store/db.js';
import { Store } from '../../gateway/store/store.js';
import { Outbox } from '../../gateway/upstream/outbox.js';
import { testConfig } from '../../testkit/config.js';
import { tmpDir } from '../../testkit/tmp.js';

// Issue 3 through the real pipeline and store: door locks are pulsed on unlock, two-factor
// doors prompt for the missing factor, a mismatch alert links both journal entries.

const KEY = 'ee'.repeat(32);
const ZHANG = '310101199003071230';

function setup(t: Test) {
  const { dir, cleanup } = tmpDir();
  const config = testConfig({
    doors: [
      { id: 'SIDE', name: '侧门', lock: 'L-SIDE' },
      { id: 'VAULT', name: '人证门', factors: 'idcard+biometric', lock: 'L-VAULT' },
    ],
    readers: [
      { id: 'FP-SIDE', door: 'SIDE', driver: 'fingerprint', options: { path: '/dev/null' } },
      { id: 'L-SIDE', door: 'SIDE', driver: 'modbus-relay', options: { path: '/dev/null' } },
      { id: 'T-VAULT', door: 'VAULT' },
      { id: 'IC-VAULT', door: 'VAULT', driver: 'idcard', options: { path: '/dev/null' } },
      { id: 'L-VAULT', door: 'VAULT', driver: 'modbus-relay', options: { path: '/dev/null', coil: 1 } },
    ],
  });
  const db = openDb(path.join(dir, 'g.db'));
  const metrics = createMetrics();
  const log = silentLogger();
  const outbox = new Outbox(Store.of(db));
  const alerts = new AlertManager(db, outbox, 'urn:x', 300_000);
  const devices = new DeviceRegistry(Store.of(db), config.readers, {
    clock: systemClock,
    graceMs: 60_000,
    log,
  });
  const commands: Array<{ reader: string; cmd: DoorCommand }> = [];
  const roster = RosterIndex.fromSnapshot({
    buildings: [],
    entrances: [],
    households: [
      {
        id: 'H1',
        buildingId: 'B01',
        entranceId: null,
        room: '0101',
        housingType: 'gongzu',
        leaseStart: null,
        leaseEnd: null,
        status: 'active',
      },
    ],
    residents: ['R1', 'R2'].map((id) => ({
      id,
      householdId: 'H1',
      role: 'leaseholder' as const,
      name: '张三',
      idHash: null,
      idMasked: null,
      phoneMasked: null,
      validFrom: null,
      validTo: null,
      status: 'active' as const,
    })),
    credentials: [
      { kind: 'fingerprint', key: '7', residentId: 'R1' },
      { kind: 'face', key: 'F1', residentId: 'R1' },
      { kind: 'face', key: 'F2', residentId: 'R2' },
      { kind: 'idcard', key: hashIdNumber(KEY, ZHANG), residentId: 'R1' },
    ],
  });
  const p = new Pipeline({
    db,
    config,
    roster: RosterState.of(roster),
    devices,
    alerts,
    outbox,
    thumbnails: new Thumbnailer(dir, config.thumbnails, log, metrics),
    live: new LiveBus(),
    metrics,
    log,
    clock: systemClock,
    idHashKey: KEY,
    source: 'urn:x',
    command: (reader, cmd) => commands.push({ reader, cmd }),
  });
  t.teardown(() => {
    db.close();
    cleanup();
  });
  return { p, db, commands };
}

let n = 0;
const read = (readerId: string, credential: Credential, ago = 100): CredentialRead => ({
  readerId,
  recordId: `r${++n}`,
  ts: Date.now() - ago,
  receivedAt: Date.now(),
  credential,
  offline: false,
});

t.test('an unlock at a door with a lock pulses the lock for the door’s unlockMs', async (t) => {
  const { p, commands } = setup(t);
  await p.submit(read('FP-SIDE', { type: 'fingerprint', templateId: '7', score: 90 }));
  t.same(
    commands.map((c) => [c.reader, c.cmd.action, c.cmd.durationMs]),
    [
      ['FP-SIDE', 'unlock', 3000],
      ['L-SIDE', 'unlock', 3000],
    ],
    'the reader gets its command, the lock its pulse',
  );
  commands.length = 0;
  await p.submit(read('FP-SIDE', { type: 'fingerprint', templateId: null }));
  t.same(
    commands.map((c) => [c.reader, c.cmd.action]),
    [['FP-SIDE', 'deny']],
    'a deny leaves the lock alone',
  );
});

t.test('two factors: the lone card is denied with a prompt; the matching face opens', async (t) => {
  const { p, commands, db } = setup(t);
  await p.submit(read('IC-VAULT', { type: 'idcard', number: ZHANG, validUntil: '2035-01-01' }, 3000));
  t.same(commands[0]?.cmd, {
    id: commands[0]?.cmd.id,
    event: commands[0]?.cmd.event,
    action: 'deny',
    durationMs: undefined,
    message: '请再刷脸或按指纹完成人证核验',
  });
  await p.submit(read('T-VAULT', { type: 'face', personId: 'F1', score: 0.93, liveness: true }));
  t.same(
    commands.slice(1).map((c) => [c.reader, c.cmd.action]),
    [
      ['T-VAULT', 'unlock'],
      ['L-VAULT', 'unlock'],
    ],
  );
  t.same(
    db.prepare('SELECT outcome, reasons FROM decisions ORDER BY seq').all(),
    [
      { outcome: 'denied', reasons: 'biometric_required' },
      { outcome: 'granted', reasons: 'ok' },
    ],
    'both reads are recorded with their decisions',
  );
});

t.test('a person–card mismatch is one alert linked to both journal entries', async (t) => {
  const { p, commands, db } = setup(t);
  await p.submit(read('IC-VAULT', { type: 'idcard', number: ZHANG, validUntil: '2035-01-01' }, 2000));
  await p.submit(read('T-VAULT', { type: 'face', personId: 'F2', score: 0.93, liveness: true }));
  t.equal(commands.at(-1)?.cmd.message, '人证不符', 'the terminal says why');
  const alerts = db.prepare('SELECT id, kind, resident_id AS r, evidence FROM alerts').all() as Array<{
    id: string;
    kind: string;
    r: string;
    evidence: string;
  }>;
  t.equal(alerts.length, 1);
  t.match(alerts[0], { kind: 'person_card_mismatch', r: 'R1' });
  const linked = db
    .prepare('SELECT seq FROM alert_entries WHERE alert_id = ? ORDER BY seq')
    .pluck()
    .all(alerts[0]?.id);
  t.same(linked, [1, 2], 'both entries are linked');
  const ev = JSON.parse(alerts[0]?.evidence ?? '{}') as { entries: Array<{ type: string }> };
  t.same(
    ev.entries.map((e) => e.type),
    ['idcard', 'face'],
  );
  t.notOk(alerts[0]?.evidence.includes(ZHANG), 'no ID number in the evidence');
});
