import t from 'tap';
import { retryAfterOf } from '../../core/bus.js';
import { ManualClock } from '../../core/clock.js';
import type { CredentialRead } from '../../core/contracts.js';
import { faceRead, type PipelineKit, pipelineKit } from '../../testkit/pipeline.js';
import { waitFor } from '../../testkit/wait.js';

// Issue 12 item 1: the journal cannot commit (a full disk: SQLite's page limit makes
// SQLITE_FULL here without root; bench/faults.ts does it on a real tmpfs). The probe saw
// up to 112 door commands for one read, unlocks 13 s late, a learned 52 s clock offset.
// Now: one timely answer per read by the door's policy, nothing acknowledged until it is
// on disk, everything journaled when space returns.

type Kit = PipelineKit & { sent: CredentialRead[]; acked: Set<string>; refused: Map<string, unknown> };

function kit(over: Parameters<typeof pipelineKit>[1] = {}): Kit {
  const k = pipelineKit(t, over);
  return { ...k, sent: [], acked: new Set(), refused: new Map() };
}

/** Submits a read, noting its acknowledgement or refusal. */
function submit(k: Kit, r: CredentialRead): Promise<void> {
  k.sent.push(r);
  return k.pipeline.submit(r).then(
    () => {
      k.acked.add(r.recordId);
    },
    (err: unknown) => {
      k.refused.set(r.recordId, err);
    },
  );
}

/** Door commands per answered record id. */
function answersPerRead(k: Kit): Map<string, number> {
  const m = new Map<string, number>();
  for (const c of k.commands)
    if (!c.cmd.id.endsWith('-lock')) m.set(c.cmd.event, (m.get(c.cmd.event) ?? 0) + 1);
  return m;
}

/** Caps the database at its size now and reads on until a commit fails with SQLITE_FULL. */
async function fillUp(k: Kit, reader = 'T-B01'): Promise<void> {
  const pages = k.db.pragma('page_count', { simple: true }) as number;
  k.db.pragma(`max_page_count = ${pages}`);
  for (let i = 0; i < 5000 && k.pipeline.store.state === 'ok'; i++) {
    void submit(k, faceRead(reader, 'F1'));
    await waitFor(() => answersPerRead(k).size === k.sent.length, 2000, 'the answer of a filler read');
  }
  t.equal(k.pipeline.store.state, 'full', 'the store is full');
}

/** Space returns. */
function makeRoom(k: Kit): void {
  k.db.pragma('max_page_count = 1073741823');
}

t.test(
  'disk full, default policy: one timely answer per read from memory, held unacknowledged, all journaled on return',
  async (t) => {
    const k = kit();
    await fillUp(k);
    const before = k.acked.size;
    t.ok(before > 0, `${before} reads were journaled before the disk filled`);
    t.match(k.pipeline.store, { state: 'full', error: 'SQLITE_FULL', held: 1, answered: 1 });

    // Residents are let in, strangers kept out, each answered at once, from the roster in memory.
    const residents = Array.from({ length: 20 }, () => faceRead('T-B01', 'F1'));
    const strangers = Array.from({ length: 10 }, () =>
      faceRead('T-B01', null, { credential: { type: 'face', personId: null, score: 0.3 } }),
    );
    const held = [...residents, ...strangers].map((r) => {
      const n = k.commands.length;
      const p = submit(k, r);
      t.equal(k.commands.length, n + 1, `${r.recordId} answered on arrival, without waiting for a commit`);
      return p;
    });
    const actions = new Map(k.commands.map((c) => [c.cmd.event, c.cmd.action]));
    t.ok(
      residents.every((r) => actions.get(r.recordId) === 'unlock'),
      'every resident unlocked',
    );
    t.ok(
      strangers.every((r) => actions.get(r.recordId) === 'deny'),
      'every stranger denied',
    );
    t.equal(k.acked.size, before, 'nothing acknowledged while nothing is on disk');
    t.match(k.pipeline.store, { state: 'full', held: 31, answered: 31 });
    t.ok(
      (k.db.prepare("SELECT count(*) FROM alerts WHERE kind = 'storage_full'").pluck().get() as number) <= 1,
      'the alert is recorded now if a small write still fits, else on recovery',
    );

    // The broker redelivers (a reconnect, a DUP): the held read answers for them all, and
    // they teach the clock-offset tracker nothing (the probe learned a false 52 s offset).
    const offset = k.devices.offset('T-B01')?.value ?? 0;
    const late = Date.now() + 4000;
    for (let round = 0; round < 20; round++)
      for (const r of residents) void submit(k, { ...r, receivedAt: late + round });
    t.equal(answersPerRead(k).size, k.sent.length - 20 * residents.length, 'no second answer');
    t.ok(
      [...answersPerRead(k).values()].every((n) => n === 1),
      'one door command per read',
    );
    t.equal(k.devices.offset('T-B01')?.value, offset, 'the clock offset learned nothing from redeliveries');

    makeRoom(k);
    await Promise.all(held);
    await waitFor(
      () => k.acked.size === new Set(k.sent.map((r) => r.recordId)).size,
      5000,
      'every read acknowledged',
    );
    t.equal(k.pipeline.store.state, 'ok', 'the store is ok again');
    t.equal(k.rows(), k.acked.size, 'every acknowledged read is in the journal');
    t.ok(
      [...answersPerRead(k).values()].every((n) => n === 1),
      'and still one door command per read',
    );
    const answers = k.db
      .prepare('SELECT j.record_id AS id, d.answer FROM journal j JOIN decisions d USING (seq)')
      .all() as Array<{ id: string; answer: string }>;
    t.ok(
      answers.every((a) => a.answer === actions.get(a.id) || !actions.has(a.id)),
      'the journal says what each door was told',
    );
    t.equal(k.db.pragma('integrity_check', { simple: true }), 'ok', 'integrity_check ok');
    t.equal(
      k.db.prepare("SELECT count(*) FROM alerts WHERE kind = 'storage_full'").pluck().get(),
      1,
      'the storage_full alert is recorded once the disk takes it',
    );
    const m = await k.metric('estate_gateway_store_failure_answers_total');
    t.ok(m.includes('estate_gateway_store_failure_answers_total{policy="memory"} 31'), m.join());
  },
);

t.test('doors set to fail closed or open; exits always open', async (t) => {
  const k = kit({
    config: {
      doors: [
        { id: 'GATE', name: '大门', onStoreFailure: 'open' },
        { id: 'B01-U1', name: '1号楼1单元', building: 'B01', entrance: 'B01-U1', onStoreFailure: 'closed' },
        { id: 'B02-U1', name: '2号楼1单元', building: 'B02', entrance: 'B02-U1' },
      ],
    },
  });
  await fillUp(k, 'T-B02');
  const resident = faceRead('T-B01', 'F1');
  const stranger = faceRead('T-GATE', null, { credential: { type: 'face', personId: null, score: 0.2 } });
  const leaving = faceRead('T-GATE-OUT', null, { credential: { type: 'face', personId: null, score: 0.2 } });
  const held = [resident, stranger, leaving].map((r) => submit(k, r));
  const action = (r: CredentialRead) => k.commands.find((c) => c.cmd.event === r.recordId)?.cmd;
  t.match(
    action(resident),
    { action: 'deny', message: '系统存储故障，暂停通行，请联系物业' },
    'closed: even a resident waits outside',
  );
  t.match(action(stranger), { action: 'unlock' }, 'open: even a stranger is let in');
  t.match(action(leaving), { action: 'unlock' }, 'an exit opens whatever the policy');
  makeRoom(k);
  await Promise.all(held);
  const reasons = (r: CredentialRead) =>
    k.db
      .prepare(
        'SELECT d.outcome, d.answer, d.reasons FROM journal j JOIN decisions d USING (seq) WHERE j.record_id = ?',
      )
      .get(r.recordId);
  t.match(reasons(resident), { outcome: 'denied', answer: 'deny', reasons: /store_fail_closed/ });
  t.match(reasons(stranger), { outcome: 'granted', answer: 'unlock', reasons: /stranger.*store_fail_open/ });
  t.match(reasons(leaving), { outcome: 'granted', answer: 'unlock', reasons: 'exit' });
  t.equal(
    k.db.prepare("SELECT count(*) FROM alerts WHERE kind = 'stranger' AND door_id = 'GATE'").pluck().get(),
    1,
    'the stranger let in by the open policy raises its alert once journaled',
  );
});

t.test('a read whose commit failed after it went stale is never answered', async (t) => {
  const clock = new ManualClock();
  const k = kit({ clock });
  k.db.exec(`CREATE TEMP TRIGGER boom BEFORE INSERT ON journal BEGIN SELECT RAISE(ABORT, 'I/O error'); END`);
  k.db.exec(`CREATE TEMP TRIGGER boom2 BEFORE INSERT ON alerts BEGIN SELECT RAISE(ABORT, 'I/O error'); END`);
  const r = faceRead('T-B01', 'F1', { ts: clock.now() - 100, receivedAt: clock.now() });
  const done = submit(k, r);
  clock.advance(6000); // the commit came too late: checks.staleAfterMs is 5 s
  await waitFor(() => k.pipeline.store.state === 'failed', 2000, 'the failed state');
  t.equal(k.commands.length, 0, 'no unlock for someone who left');
  t.match(await k.metric('estate_gateway_late_answers_withheld_total'), [
    'estate_gateway_late_answers_withheld_total 1',
  ]);
  t.match(k.pipeline.store, { state: 'failed', error: 'SQLITE_CONSTRAINT_TRIGGER', held: 1, answered: 0 });
  k.db.exec('DROP TRIGGER boom');
  k.db.exec('DROP TRIGGER boom2');
  await done;
  t.equal(k.commands.length, 0, 'nor once it is journaled');
  t.equal(k.rows(), 1);
  t.match(
    k.db.prepare('SELECT j.stale, d.answer, d.reasons FROM journal j JOIN decisions d USING (seq)').get(),
    { stale: 1, answer: null, reasons: 'ok stale' },
    'journaled as a stale read, unanswered',
  );
  t.match(
    k.db.prepare("SELECT kind, severity, first_ts FROM alerts WHERE kind = 'storage_failed'").get(),
    { kind: 'storage_failed', severity: 'critical', first_ts: clock.now() },
    'the alert the failing store could not take is recorded on recovery, dated when the failure began',
  );
});

t.test(
  'past store.maxHeldReads reads are answered once and refused until the journal recovers',
  async (t) => {
    const k = kit({ config: { store: { maxHeldReads: 100 } } });
    await fillUp(k);
    const extra = Array.from({ length: 120 }, () => faceRead('T-B01', 'F1'));
    const all = extra.map((r) => submit(k, r));
    await waitFor(() => k.refused.size === 21, 2000, 'the refusals');
    t.equal(k.pipeline.store.held, 100, 'memory holds up to the limit');
    t.equal(k.pipeline.store.refused, 21);
    t.ok(
      extra.every((r) => answersPerRead(k).get(r.recordId) === 1),
      'held or refused, every door answered once',
    );
    const [id, err] = [...k.refused][0] as [string, Error & { code?: string }];
    t.equal(err.code, 'STORE_UNAVAILABLE');
    const retry = retryAfterOf(err);
    t.ok(retry, 'the refusal says when to ask again');
    // The broker sends a refused read again at once: answered already, not again.
    const again = extra.find((r) => r.recordId === id) as CredentialRead;
    await t.rejects(k.pipeline.submit({ ...again, receivedAt: Date.now() }), { code: 'STORE_UNAVAILABLE' });
    t.equal(answersPerRead(k).get(id), 1);
    makeRoom(k);
    await retry;
    await Promise.all(all);
    // Now it comes again (the link reconnects once): journaled, still not answered twice.
    await k.pipeline.submit({ ...again, receivedAt: Date.now() });
    t.equal(
      answersPerRead(k).get(id),
      1,
      'the redelivery after recovery is journaled without a second answer',
    );
    t.equal(k.db.prepare('SELECT count(*) FROM journal WHERE record_id = ?').pluck().get(id), 1);
  },
);

t.test('shutdown while the journal cannot commit: held reads stay unacknowledged', async (t) => {
  const k = kit();
  await fillUp(k);
  const r = faceRead('T-B01', 'F1');
  const done = submit(k, r);
  await k.pipeline.drain();
  await done;
  t.match(
    k.refused.get(r.recordId),
    { code: 'STORE_UNAVAILABLE' },
    'refused, so the broker delivers it again',
  );
  t.notOk(k.acked.has(r.recordId));
  t.equal(answersPerRead(k).get(r.recordId), 1, 'its door was answered');
});
