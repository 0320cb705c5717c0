import { randomBytes } from 'node:crypto';
import t, { type Test } from 'tap';
import { signDelta } from '../../core/roster-message.js';
import { silentLogger } from '../../gateway/log.js';
import { SimUpstream } from '../../sim/upstream.js';
import { SimRosterIssuer } from '../../sim/upstream-roster.js';
import { SimRosterBroadcaster } from '../../sim/upstream-roster-mqtt.js';
import { startGateway, type TestGateway } from '../../testkit/gateway.js';
import { LoadReader } from '../../testkit/load-reader.js';
import { startMosquitto } from '../../testkit/mosquitto.js';
import { districtKey, districtRoster } from '../../testkit/roster-sync.js';
import { waitFor } from '../../testkit/wait.js';

// The roster comes down signed (issue 14): the simulated district system issues snapshots and
// deltas on a real broker and over HTTPS; the gateway under test is the production one.

const A = districtKey('徐汇区住房保障 2026');

/** The decision of the last read the gateway recorded. */
function lastDecision(g: TestGateway): { outcome: string; reasons: string } {
  return g.gw.db.prepare('SELECT outcome, reasons FROM decisions ORDER BY seq DESC LIMIT 1').get() as {
    outcome: string;
    reasons: string;
  };
}

async function district(t: Test, pull: boolean) {
  const mosq = await startMosquitto();
  t.teardown(() => mosq.stop());
  const hmacKey = randomBytes(32).toString('hex');
  const issuer = new SimRosterIssuer({ estate: 'SH-TEST', key: A.key, roster: districtRoster() });
  const up = new SimUpstream({ hmacKey, port: 0, rosters: [issuer], log: silentLogger() });
  await up.start();
  t.teardown(() => up.stop());
  const broadcaster = new SimRosterBroadcaster({ brokerUrl: mosq.url, topicPrefix: 'estate/v1', issuer });
  await broadcaster.start();
  t.teardown(() => broadcaster.stop());
  const g = await startGateway(
    t,
    {
      rosterSync: {
        enabled: true,
        mqttUrl: mosq.url,
        pullUrl: pull ? up.url.replace('/v1/events', '/v1/roster') : null,
        publicKeys: [A.config],
        reconnect: { minMs: 100, maxMs: 1000 },
      },
    },
    null,
    {},
    { upstream: { hmacKey } },
  );
  const sync = g.gw.rosterSync;
  if (!sync) throw new Error('roster sync not built');
  return { g, issuer, broadcaster, sync, brokerUrl: mosq.url };
}

t.test('a resident moves out upstream and is refused at the door within seconds', async (t) => {
  const { g, issuer, broadcaster, sync } = await district(t, true);
  await waitFor(() => sync.status().version === 1, 15_000, 'the first snapshot');
  const reader = new LoadReader({ url: g.brokerUrl, readerId: 'T-B01' });
  await reader.start();
  t.teardown(() => reader.stop());
  t.ok(await reader.roundTrip(5000, { face: { personId: 'F-R00002', score: 0.95, liveness: true } }));
  t.same(lastDecision(g), { outcome: 'granted', reasons: 'ok' }, 'R00002 lives here: the door opens');

  const t0 = Date.now();
  issuer.moveOut('R00002');
  await waitFor(() => sync.status().version === 2, 10_000, 'the delta');
  const ms = Date.now() - t0;
  t.ok(await reader.roundTrip(5000, { face: { personId: 'F-R00002', score: 0.95, liveness: true } }));
  t.same(lastDecision(g), { outcome: 'denied', reasons: 'inactive_resident' }, 'after the move-out: refused');
  t.ok(ms < 5000, `the move-out reached the door in ${ms} ms`);
  t.comment(`move-out upstream → roster version 2 at the gateway: ${ms} ms`);

  // A forged delta on the same topic: refused, alerted, the roster stays at version 2.
  const forged = signDelta({ estate: 'SH-TEST', key: districtKey('forger').key }, 3, { moveOut: ['R00001'] });
  await broadcaster.publishRaw(JSON.stringify(forged));
  await waitFor(
    () => g.gw.db.prepare("SELECT count(*) FROM alerts WHERE kind = 'roster_refused'").pluck().get() === 1,
    10_000,
    'the roster_refused alert',
  );
  t.equal(sync.status().version, 2);
  t.match(sync.status().lastRefusal, { reason: 'unknown_key' });
  t.ok(await reader.roundTrip(5000), 'the door still answers');
  t.same(lastDecision(g), { outcome: 'granted', reasons: 'ok' }, 'R00001 was not moved out by the forgery');

  // The details of /healthz need a token (issue 9: a stranger gets the status only).
  const health = (await (await g.api('/healthz')).json()) as {
    roster: { version: string; sync: { version: number; signer: { keyId: string; label: string } } };
  };
  t.equal(health.roster.version, 'upstream:2');
  t.same(
    health.roster.sync.signer,
    { keyId: A.keyId, label: '徐汇区住房保障 2026' },
    '/healthz names the signer',
  );
});

t.test('MQTT only: a gap is filled by asking the district system on the request topic', async (t) => {
  const { issuer, broadcaster, sync, brokerUrl } = await district(t, false);
  await waitFor(() => sync.status().version === 1, 15_000, 'the snapshot asked for on MQTT');
  t.ok(broadcaster.requests >= 1, 'with no pull URL, the snapshot came on request');
  await broadcaster.stop();
  issuer.moveOut('R00002'); // version 2, published to nobody: the gateway will miss it
  const again = new SimRosterBroadcaster({ brokerUrl, topicPrefix: 'estate/v1', issuer });
  await again.start();
  t.teardown(() => again.stop());
  issuer.moveOut('R00003'); // version 3: does not chain onto 1
  await waitFor(() => sync.status().version === 3, 15_000, 'versions 2 and 3');
  t.ok(again.requests >= 1, 'the gateway asked for what it missed');
  const log = sync.sync.journal.recent(20);
  t.ok(
    log.some((r) => r.outcome === 'behind'),
    'the gap (or the newer pointer) is in the sync log',
  );
});
