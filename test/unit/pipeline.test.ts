import t from 'tap';
import type { CredentialRead } from '../../core/contracts.js';
import { faceRead, KIT_SOURCE, pipelineKit } from '../../testkit/pipeline.js';
import { waitFor } from '../../testkit/wait.js';

const read = (over: Partial<CredentialRead> = {}, personId: string | null = 'F1'): CredentialRead =>
  faceRead('T-B01', personId, over);

t.test(
  'group commit: reads of one turn share one transaction, each door answered as its rows are written',
  async (t) => {
    const { pipeline: p, commands, rows, metric } = pipelineKit(t);
    await Promise.all(Array.from({ length: 50 }, () => p.submit(read())));
    t.equal(rows(), 50);
    t.equal(commands.length, 50);
    t.same(
      commands.map((c) => c.writtenRows),
      Array.from({ length: 50 }, (_, i) => i + 1),
      'each door is answered once its own rows are written, not after the last read of the batch',
    );
    t.ok(
      commands.every((c) => c.committedRows === 0),
      'and before the commit reaches the disk',
    );
    t.ok(commands.every((c) => c.cmd.action === 'unlock' && c.cmd.durationMs === 3000));
    const hist = await metric('estate_gateway_commit_rows');
    t.ok(
      hist.includes('estate_gateway_commit_rows_count 1') &&
        hist.includes('estate_gateway_commit_rows_sum 50'),
      'one commit of 50 rows',
    );
  },
);

t.test('replays are deduplicated in flight and after commit', async (t) => {
  const { pipeline: p, commands, rows, metric } = pipelineKit(t);
  const r = read();
  const a = p.submit(r);
  const b = p.submit({ ...r });
  t.equal(a, b, 'the same promise for a duplicate in flight');
  await a;
  await p.submit({ ...r, offline: true });
  t.equal(rows(), 1);
  t.equal(commands.length, 1, 'answered once');
  t.match(await metric('estate_gateway_duplicate_reads_total'), ['estate_gateway_duplicate_reads_total 2']);
});

t.test('a live read never waits behind a replayed backlog', async (t) => {
  const { pipeline: p, commands, rows } = pipelineKit(t);
  const backlog = Array.from({ length: 2000 }, () =>
    p.submit(read({ offline: true, ts: Date.now() - 3_600_000 })),
  );
  const live = p.submit(read());
  await live;
  t.equal(commands.length, 1);
  t.equal(commands[0]?.writtenRows, 1, 'the live read is answered before any of the backlog is written');
  await Promise.all(backlog);
  t.equal(rows(), 2001);
  t.equal(commands.length, 1, 'offline replays are not answered');
});

t.test(
  'the backlog moves in whole batches when doors are quiet, in short slices while they answer',
  async (t) => {
    const {
      pipeline: p,
      rows,
      metric,
    } = pipelineKit(t, { config: { store: { batchMaxRows: 10_000, replaySliceMs: 0.5 } } });
    const commits = async () => {
      const m = (await metric('estate_gateway_commit_rows')).find((l) =>
        l.startsWith('estate_gateway_commit_rows_count'),
      );
      return Number(m?.split(' ')[1]);
    };
    const replay = () =>
      Promise.all(
        Array.from({ length: 2000 }, () => p.submit(read({ offline: true, ts: Date.now() - 3_600_000 }))),
      );
    await replay();
    t.equal(await commits(), 1, 'no door answered lately: 2,000 rows in one commit');
    await p.submit(read());
    const before = await commits();
    await replay();
    const slices = (await commits()) - before;
    t.ok(slices >= 4, `a door answered a moment ago: the next 2,000 in ${slices} slices of ~0.5 ms`);
    t.equal(rows(), 4001, 'nothing left behind');
  },
);

t.test('stale reads are recorded and checked, not answered', async (t) => {
  const { pipeline: p, commands, db } = pipelineKit(t);
  await p.submit(read({ ts: Date.now() - 60_000 }, null));
  t.equal(commands.length, 0);
  const d = db.prepare('SELECT outcome, answer, reasons FROM decisions').get();
  t.same(d, { outcome: 'denied', answer: null, reasons: 'stranger stale' });
  t.equal(
    db.prepare('SELECT count(*) FROM alerts').pluck().get(),
    1,
    'still checked: the stranger alert is raised',
  );
});

t.test('repeats coalesce into one alert; each new alert goes to the outbox once', async (t) => {
  const { pipeline: p, db, outbox } = pipelineKit(t);
  await p.submit(read({}, null));
  await p.submit(read({}, null));
  await p.submit(read({ readerId: 'T-B02' }, null));
  const alerts = db.prepare('SELECT kind, door_id AS door, count FROM alerts ORDER BY door_id').all();
  t.same(alerts, [
    { kind: 'stranger', door: 'B01-U1', count: 2 },
    { kind: 'stranger', door: 'B02-U1', count: 1 },
  ]);
  t.equal(outbox.depth, 2);
  const ev = JSON.parse(outbox.peek(0, 1)[0]?.body ?? '{}');
  t.match(ev, {
    specversion: '1.0',
    type: 'estate.alert.stranger',
    source: KIT_SOURCE,
    datacontenttype: 'application/json',
  });
  t.equal(db.prepare('SELECT count(*) FROM alert_entries').pluck().get(), 3);
});

t.test('access records go upstream when configured', async (t) => {
  const { pipeline: p, outbox } = pipelineKit(t, {
    config: { upstream: { enabled: true, url: 'http://127.0.0.1:1/x', access: 'denied' } },
  });
  await p.submit(read());
  await p.submit(read({}, 'F-unknown'));
  const types = outbox.peek(0, 10).map((r) => JSON.parse(r.body).type);
  t.same(types.sort(), ['estate.access.denied', 'estate.alert.stranger']);
});

t.test(
  'a failed commit answers the door once, acknowledges nothing, and journals the read when the store works',
  async (t) => {
    const { pipeline: p, db, commands, rows, metric } = pipelineKit(t);
    db.exec(
      `CREATE TEMP TRIGGER boom BEFORE INSERT ON journal BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`,
    );
    let acked = false;
    const done = p.submit(read()).then(() => {
      acked = true;
    });
    await waitFor(() => p.store.state === 'failed', 2000, 'the failed state');
    t.equal(commands.length, 1, 'the resident is let in even though the SD card failed');
    t.equal(rows(), 0);
    t.notOk(acked, 'not acknowledged: not on disk');
    t.match(p.store, { state: 'failed', held: 1, answered: 1, error: 'SQLITE_CONSTRAINT_TRIGGER' });
    t.match(await metric('estate_gateway_store_errors_total'), ['estate_gateway_store_errors_total 1']);
    db.exec('DROP TRIGGER boom');
    await done;
    t.equal(rows(), 1, 'journaled once the store takes it');
    t.equal(commands.length, 1, 'and not answered a second time');
    t.match(p.store, { state: 'ok', held: 0 });
    await p.submit(read());
    t.equal(commands.length, 2, 'and the pipeline carries on');
  },
);

t.test('unknown readers and far-future reads are rejected and counted', async (t) => {
  const { pipeline: p, rows, metric } = pipelineKit(t);
  await p.submit(read({ readerId: 'NOPE' }));
  await p.submit(read({ ts: Date.now() + 3 * 86_400_000 }));
  t.equal(rows(), 0);
  const lines = await metric('estate_gateway_rejected_total');
  t.ok(lines.includes('estate_gateway_rejected_total{reason="unknown_reader"} 1'));
  t.ok(lines.includes('estate_gateway_rejected_total{reason="future_ts"} 1'));
});
