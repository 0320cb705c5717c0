import t from 'tap';
import { startGateway } from '../../testkit/gateway.js';
import { LoadReader } from '../../testkit/load-reader.js';
import { startMosquitto } from '../../testkit/mosquitto.js';
import { waitFor } from '../../testkit/wait.js';

// Issue 12 item 1, end to end: the probe filled dataDir while 3 readers sent 5 reads/s
// through mosquitto. The gateway churned its broker sessions (343 reconnects a minute),
// re-answered whole queues (up to 112 commands for one read, unlocks 13 s late) and
// answered 37 % of residents. Here the store fills (SQLite's page limit: SQLITE_FULL as
// on a full disk; bench/faults.ts does it on a real tmpfs) under the same load.

const STRANGER = { face: { personId: null, score: 0.2 } };

t.test(
  'disk full under 3 readers at 5 reads/s: one timely answer per read, no churn, nothing lost',
  async (t) => {
    const broker = await startMosquitto();
    t.teardown(() => broker.stop());
    const g = await startGateway(t, { mqtt: { url: broker.url } });
    await waitFor(() => g.gw.bus.connected, 10_000, 'the gateway sessions');
    const readers = ['T-GATE', 'T-B01', 'T-B02'].map(
      (id) => new LoadReader({ url: broker.url, readerId: id, clean: false }),
    );
    await Promise.all(readers.map((r) => r.start()));
    t.teardown(() => Promise.all(readers.map((r) => r.stop())));
    for (const r of readers) t.ok(await r.roundTrip(), `${r.id} answered before the fault`);

    let reconnects = 0;
    g.gw.bus.on('connect', () => reconnects++);
    const db = g.gw.db;
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);

    // 5 reads/s per reader, every third a stranger, until well into the fault.
    const sentAt = new Map<string, number>();
    let n = 0;
    const tick = () => {
      for (const r of readers) {
        const { id } = r.send(n % 3 === 2 ? STRANGER : {});
        sentAt.set(id, Date.now());
      }
      n++;
    };
    const timer = setInterval(tick, 200);
    t.teardown(() => clearInterval(timer));
    await waitFor(() => g.gw.health().store.state === 'full', 20_000, 'the store to fill');
    const fullAt = n;
    await waitFor(() => n >= fullAt + 25, 20_000, '5 s of reads into the fault');

    // While full: health says so, with the free bytes; nothing held is acknowledged.
    // The public reply says only the status (issue 9); the details come with a token.
    t.equal((await g.api('/healthz', { as: null })).status, 503);
    const res = await g.api('/healthz');
    t.equal(res.status, 503);
    const h = (await res.json()) as ReturnType<typeof g.gw.health>;
    t.match(h.store, { state: 'full', error: 'SQLITE_FULL', freeBytes: Number, held: Number });
    t.ok(h.store.held > 0, `${h.store.held} reads held in memory`);
    t.match(h.problems, [
      /^store full: the journal cannot commit \(\d+ reads held in memory, \d+ MB free\)$/,
    ]);
    clearInterval(timer);
    const last = [...sentAt.keys()];
    await waitFor(
      () =>
        readers.every((r) => last.filter((id) => id.startsWith(`${r.id}-`)).every((id) => r.answers.has(id))),
      10_000,
      'an answer for every read sent',
    );

    // One answer per read, in time, residents in and strangers out.
    const counts = readers.flatMap((r) => [...r.answers.values()]);
    t.ok(
      counts.every((c) => c === 1),
      `one door command per read (${counts.length} reads; the probe: up to 112)`,
    );
    const latencies = readers.flatMap((r) => r.latencies);
    t.ok(
      Math.max(...latencies) < 1000,
      `every answer within 1 s (max ${Math.round(Math.max(...latencies))} ms)`,
    );
    t.equal(reconnects, 0, 'no broker session was dropped and reconnected');
    const offsets = (await g.api('/api/readers').then((r) => r.json())) as {
      items: Array<{ clockOffsetMs: number | null }>;
    };
    t.ok(
      offsets.items.every((o) => o.clockOffsetMs === null || Math.abs(o.clockOffsetMs) < 1000),
      'no false clock offset learned',
    );

    // Space returns: everything is journaled, once, and the alert recorded.
    db.pragma('max_page_count = 1073741823');
    const total = sentAt.size + readers.length;
    await waitFor(
      () => (db.prepare('SELECT count(*) FROM journal').pluck().get() as number) === total,
      15_000,
      'every read journaled',
    );
    t.equal(g.gw.health().store.state, 'ok');
    t.equal(db.pragma('integrity_check', { simple: true }), 'ok', 'integrity_check ok');
    t.equal(
      db.prepare("SELECT count(*) FROM alerts WHERE kind = 'storage_full'").pluck().get(),
      1,
      'storage_full alert',
    );
    t.equal(
      db
        .prepare("SELECT count(*) FROM decisions WHERE answer = 'unlock' AND reasons LIKE '%stranger%'")
        .pluck()
        .get(),
      0,
      'no stranger let in',
    );
    t.ok(
      readers.every((r) => [...r.answers.values()].every((c) => c === 1)),
      'and no second answer after recovery either (the broker redelivers nothing that was acknowledged)',
    );
    t.ok(await readers[0]?.roundTrip(), 'doors answered as usual afterwards');
  },
);
