import { statSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startGateway } from '../../testkit/gateway.js';
import { LoadReader } from '../../testkit/load-reader.js';
import { startMosquitto } from '../../testkit/mosquitto.js';
import { percentile } from '../../testkit/stats.js';
import { waitFor } from '../../testkit/wait.js';

// Issue 12 item 2: after a 10 s broker outage the gateway's 213 sessions came back with
// p50 3.2 s, p90 12.8 s, the last at 26.4 s; all made their first retry at exactly
// +500 ms; 91 live reads were never answered; /api/readers showed 200 of 200 online all
// along. Target: every reader answered within 5 s of the broker's return.

const READERS = 200;
const ids = Array.from({ length: READERS }, (_, i) => `R${String(i + 1).padStart(3, '0')}`);

t.test(
  'broker SIGKILL and restart under 200 readers: every reader answered within 5 s of its return',
  async (t) => {
    // autosave every second: the sessions must be on disk before the crash (the shipped
    // docs/mosquitto.conf saves every 60 s; a session younger than that is lost to a SIGKILL).
    const broker = await startMosquitto({ extra: () => ['autosave_interval 1'] });
    t.teardown(() => broker.stop());
    const g = await startGateway(t, {
      mqtt: { url: broker.url },
      readers: ids.map((id) => ({ id, door: 'B01-U1' })),
    });
    await waitFor(() => g.gw.bus.connected, 20_000, 'every gateway session');
    const readers = ids.map((id) => new LoadReader({ url: broker.url, readerId: id, clean: false }));
    for (let i = 0; i < READERS; i += 50) await Promise.all(readers.slice(i, i + 50).map((r) => r.start()));
    t.teardown(() => Promise.all(readers.map((r) => r.stop())));
    const before = await Promise.all(readers.map((r) => r.roundTrip(10_000)));
    t.ok(before.every(Boolean), 'all 200 answered before the outage');
    const ready = Date.now();
    const db = path.join(broker.dir, 'mosquitto.db');
    await waitFor(
      () => (statSync(db, { throwIfNoEntry: false })?.mtimeMs ?? 0) > ready,
      5000,
      'the sessions saved',
    );

    const killedAt = g.logs.length; // before: a session may see its socket close before the exit
    await broker.kill();
    const retries = (session: string) =>
      g.logs
        .slice(killedAt)
        .filter((l) => l.msg === 'reconnecting to broker' && (l.session ?? '') === session);
    // An outage long enough for every session's backoff to grow (the probe's went to its cap).
    await waitFor(
      () => ['', ...ids].every((s) => retries(s).length >= 4),
      30_000,
      'four retries of every session',
    );
    const firsts = ['', ...ids].map((s) => retries(s)[0]?.delayMs as number);
    t.ok(
      firsts.every((d) => d >= 0 && d <= 500),
      'first retries within [0, 500] ms: full jitter from the first retry',
    );
    t.ok(new Set(firsts).size > 150, `and spread: ${new Set(firsts).size} distinct first delays of 201`);

    // While the link is down nothing is known of the readers: not shown online.
    const list = (await g.api('/api/readers').then((r) => r.json())) as {
      items: Array<{ id: string; online: boolean | null; linkDown?: boolean }>;
    };
    t.ok(
      list.items.every((r) => r.online === null && r.linkDown === true),
      'every reader unknown (link down), none online',
    );
    t.match(g.gw.health(), { status: 'degraded', readers: { online: 0, total: READERS } });

    // Back: every reader sends a read as soon as it has reconnected.
    const reconnected = readers.map((r) => r.waitReconnected());
    const backAt: number[] = [];
    g.gw.bus.on('connect', () => backAt.push(Date.now()));
    const spawnedAt = Date.now();
    await broker.start();
    // The broker's return: when it first took a connection (a session's, or the port probe's).
    const returnedAt = Math.min(Date.now(), backAt[0] ?? Number.POSITIVE_INFINITY);
    const answeredAt = await Promise.all(
      readers.map(async (r, i) => {
        await reconnected[i];
        return (await r.roundTrip(10_000)) ? Date.now() : Number.POSITIVE_INFINITY;
      }),
    );
    await waitFor(() => g.gw.bus.connected, 10_000, 'every gateway session back');
    const back = backAt.map((at) => at - returnedAt).sort((a, b) => a - b);
    const answered = answeredAt.map((at) => at - returnedAt);
    t.comment(`mosquitto took ${returnedAt - spawnedAt} ms to start and take connections again`);
    t.comment(
      `gateway sessions back after the broker's return: p50 ${percentile(back, 50)} ms, p90 ${percentile(back, 90)} ms, max ${back.at(-1)} ms (${back.length})`,
    );
    t.comment(`readers answered: p50 ${percentile(answered, 50)} ms, max ${Math.max(...answered)} ms`);
    t.equal(back.length, READERS + 1, 'every session reconnected');
    t.ok((back.at(-1) as number) <= 5000, `the last session back within 5 s (${back.at(-1)} ms)`);
    t.ok(
      answered.every((ms) => ms <= 5000),
      `every reader answered within 5 s of the return (max ${Math.max(...answered)} ms)`,
    );
    await waitFor(
      async () =>
        (
          (await g.api('/api/readers').then((r) => r.json())) as { items: Array<{ online: boolean | null }> }
        ).items.every((r) => r.online === true),
      5000,
      'readers online again',
    );
    t.match(g.gw.health(), { readers: { online: READERS } });
  },
);
