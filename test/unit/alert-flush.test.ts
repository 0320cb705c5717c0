import t from 'tap';
import { AlertManager } from '../../gateway/alerts/alert-manager.js';
import type { AlertCandidate } from '../../gateway/alerts/per-entry.js';
import { openDb } from '../../gateway/store/db.js';
import { Store } from '../../gateway/store/store.js';
import { Outbox } from '../../gateway/upstream/outbox.js';

// Issue 15: a repeated alert's row (count, last time, inline evidence) is written once per
// transaction, at flush, not once per repeat; a rolled-back transaction writes nothing.

const SRC = 'urn:estate:SH-TEST:gateway:gw-t';
const T0 = Date.parse('2026-04-10T10:00:00+08:00');

const stranger = (ts: number): AlertCandidate => ({
  kind: 'stranger',
  subject: 'face:X1',
  householdId: null,
  residentId: null,
  doorId: 'B01-U1',
  readerId: 'T-B01',
  ts,
});
const entry = (seq: number) => ({
  seq,
  readerId: 'T-B01',
  recordId: `r${seq}`,
  ts: T0 + seq,
  type: 'face' as const,
  score: 0.9,
  thumb: null,
  reasons: ['stranger' as const],
});

function rig() {
  const db = openDb(':memory:');
  const alerts = new AlertManager(Store.of(db), new Outbox(Store.of(db)), SRC, 300_000);
  const row = () =>
    db.prepare('SELECT count, last_ts AS lastTs, evidence FROM alerts').get() as
      | { count: number; lastTs: number; evidence: string }
      | undefined;
  return { db, alerts, row };
}

t.test('repeats in one transaction: the row is written at flush, with every repeat', async (t) => {
  const { db, alerts, row } = rig();
  let beforeFlush: ReturnType<typeof row>;
  db.transaction(() => {
    for (let i = 1; i <= 3; i++) alerts.raise(stranger(T0 + i * 1000), entry(i), T0 + i * 1000);
    beforeFlush = row();
    alerts.flush();
  })();
  t.equal(beforeFlush?.count, 1, 'the repeats were not written one by one');
  const after = row();
  t.equal(after?.count, 3);
  t.equal(after?.lastTs, T0 + 3000);
  t.same(
    (JSON.parse(after?.evidence ?? '{}') as { entries: Array<{ seq: number }> }).entries.map((e) => e.seq),
    [1, 2, 3],
  );
  t.equal(db.prepare('SELECT count(*) FROM alert_entries').pluck().get(), 3, 'each repeat linked');
});

t.test('a rolled-back transaction leaves nothing to flush', async (t) => {
  const { db, alerts, row } = rig();
  db.transaction(() => {
    alerts.raise(stranger(T0), entry(1), T0);
    alerts.flush();
  })();
  t.throws(() =>
    db.transaction(() => {
      alerts.raise(stranger(T0 + 1000), entry(2), T0 + 1000);
      throw new Error('disk full');
    })(),
  );
  alerts.resetCache();
  db.transaction(() => alerts.flush())();
  t.equal(row()?.count, 1, 'the rolled-back repeat is not written later');
});
