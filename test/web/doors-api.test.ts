import t, { type Test } from 'tap';
import type { DoorCommand } from '../../core/contracts.js';
import { startGateway } from '../../testkit/gateway.js';
import { waitFor } from '../../testkit/wait.js';

// Issue 13: remote unlock from the dashboard and by the upstream's API token — a reason
// required, the operator role, audited before the door opens, limited per caller and per
// door without a race, an estate.door.remote_unlock CloudEvent upstream — and the fire
// all-open an admin declares and ends.

const JSON_HEADERS = { 'content-type': 'application/json' };

async function rig(t: Test, over: Record<string, unknown> = {}) {
  const tg = await startGateway(t, {
    doors: [
      { id: 'GATE', name: '大门' },
      { id: 'B01-U1', name: '1号楼1单元', building: 'B01', entrance: 'B01-U1' },
      { id: 'B02-U1', name: '物业办公室', building: 'B02', onFire: 'stay_locked' },
      { id: 'NOLOCK', name: '无锁门' },
    ],
    readers: [
      { id: 'T-GATE', door: 'GATE' },
      { id: 'T-GATE-OUT', door: 'GATE', direction: 'out' },
      { id: 'T-B01', door: 'B01-U1' },
      { id: 'T-B02', door: 'B02-U1' },
    ],
    ...over,
  });
  // The terminals are not connected; what the gateway sends them is seen on the broker link.
  const sent: Array<{ reader: string; cmd: DoorCommand }> = [];
  const bus = tg.gw.bus as unknown as { publish: (topic: string, payload: string, o: unknown) => void };
  const publish = bus.publish.bind(bus);
  bus.publish = (topic, payload, o) => {
    const m = /readers\/([^/]+)\/commands$/.exec(topic);
    if (m?.[1]) sent.push({ reader: m[1], cmd: JSON.parse(payload) as DoorCommand });
    publish(topic, payload, o);
  };
  const unlock = (door: string, body: unknown, as: 'viewer' | 'operator' | 'admin' = 'operator') =>
    tg.api(`/api/doors/${door}/unlock`, {
      as,
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(body),
    });
  const audit = (action: string) =>
    tg.gw.db
      .prepare('SELECT actor, outcome, target, detail FROM audit WHERE action = ? ORDER BY seq')
      .all(action) as Array<{
      actor: string;
      outcome: string;
      target: string;
      detail: string;
    }>;
  const events = (type: string) =>
    (
      tg.gw.db.prepare('SELECT body FROM outbox WHERE body LIKE ?').all(`%"type":"${type}"%`) as Array<{
        body: string;
      }>
    ).map((r) => JSON.parse(r.body) as { id: string; data: Record<string, unknown> });
  return { tg, sent, unlock, audit, events };
}

t.test('an operator unlocks a door with a reason: audited, sent, upstream', async (t) => {
  const { sent, unlock, audit, events } = await rig(t);
  const res = await unlock('GATE', { reason: '业主忘带卡，电话核实后开门', durationSeconds: 5 });
  t.equal(res.status, 200);
  const body = (await res.json()) as { commandId: string; eventId: string; durationMs: number };
  t.equal(body.durationMs, 5000);
  t.same(
    sent.map((s) => s.reader).sort(),
    ['T-GATE', 'T-GATE-OUT'],
    'a door without a lock is opened by its terminals',
  );
  t.match(sent[0]?.cmd, { id: body.commandId, event: body.commandId, action: 'unlock', durationMs: 5000 });
  t.match(audit('door.unlock'), [
    { actor: 'token:test-operator', outcome: 'ok', target: 'GATE', detail: /业主忘带卡/ },
  ]);
  t.match(events('estate.door.remote_unlock'), [
    {
      id: body.eventId,
      data: { doorId: 'GATE', actor: 'token:test-operator', reason: /业主忘带卡/, durationMs: 5000 },
    },
  ]);
});

t.test('refusals: role, reason, door, duration, a door the gateway cannot open', async (t) => {
  const { unlock, audit, sent } = await rig(t);
  t.equal((await unlock('GATE', { reason: '开门' }, 'viewer')).status, 403, 'viewers cannot');
  t.equal((await unlock('GATE', {})).status, 400, 'a reason is required');
  t.equal((await unlock('GATE', { reason: 'x' })).status, 400, 'a reason of a word at least');
  t.equal(
    (await unlock('GATE', { reason: '开门', durationSeconds: 31 })).status,
    400,
    'past maxDurationSeconds',
  );
  t.equal((await unlock('NOPE', { reason: '开门' })).status, 404);
  const r = await unlock('NOLOCK', { reason: '开门' });
  t.equal(r.status, 409);
  t.match(await r.json(), { message: /no lock/ });
  t.equal(sent.length, 0, 'nothing was sent');
  t.same(
    audit('door.unlock').map((a) => [a.target, a.outcome]),
    [
      ['NOPE', 'refused'],
      ['NOLOCK', 'refused'],
    ],
  );
});

t.test('limits: per caller per minute and per door, exact under concurrent requests', async (t) => {
  const { unlock, audit, sent } = await rig(t, {
    doorControl: { remoteUnlock: { perActorPerMinute: 3, perDoorIntervalSeconds: 0 } },
  });
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) => unlock(i % 2 ? 'GATE' : 'B01-U1', { reason: `批量测试 ${i}` })),
  );
  const statuses = results.map((r) => r.status);
  t.equal(statuses.filter((s) => s === 200).length, 3, 'exactly three got through');
  t.equal(statuses.filter((s) => s === 429).length, 7);
  const limited = results.find((r) => r.status === 429);
  t.ok(Number(limited?.headers.get('retry-after')) >= 1, 'with Retry-After');
  t.equal(audit('door.unlock').filter((a) => a.outcome === 'refused').length, 7, 'refusals audited');
  t.equal(new Set(sent.map((s) => s.cmd.id)).size, 3);

  const { unlock: u2 } = await rig(t, { doorControl: { remoteUnlock: { perDoorIntervalSeconds: 60 } } });
  t.equal((await u2('GATE', { reason: '第一次' })).status, 200);
  t.equal((await u2('GATE', { reason: '第二次' }, 'admin')).status, 429, 'the door, whoever asks');
  t.equal((await u2('B01-U1', { reason: '另一扇门' })).status, 200);
});

t.test('fire all-open by an admin: every door opens but the locked-safe one, until ended', async (t) => {
  const { tg, sent, unlock, audit, events } = await rig(t);
  const fire = (active: boolean, as: 'operator' | 'admin' = 'admin') =>
    tg.api('/api/fire', {
      as,
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ active, reason: '消防演练' }),
    });
  t.equal((await fire(true, 'operator')).status, 403);
  const on = await fire(true);
  t.equal(on.status, 200);
  t.match(await on.json(), {
    active: true,
    declared: { actor: 'token:test-admin', reason: '消防演练' },
    inputs: [],
  });
  await waitFor(() => sent.some((s) => s.reader === 'T-B01'), 5000, 'the holds sent');
  t.notOk(
    sent.some((s) => s.reader === 'T-B02'),
    'the locked-safe door is never unlocked',
  );
  const state = (await (await tg.api('/api/doors/state')).json()) as {
    fire: { active: boolean };
    items: Array<{ id: string; state: string }>;
  };
  t.equal(state.fire.active, true);
  t.same(
    state.items.map((d) => [d.id, d.state]),
    [
      ['GATE', 'fire'],
      ['B01-U1', 'fire'],
      ['B02-U1', 'no_contact'],
      ['NOLOCK', 'fire'],
    ],
  );
  t.equal((await unlock('B02-U1', { reason: '要进去' })).status, 409, 'not even remotely');
  const alert = tg.gw.db
    .prepare("SELECT evidence FROM alerts WHERE kind = 'fire_all_open'")
    .pluck()
    .get() as string;
  t.match(JSON.parse(alert), {
    chain: { source: 'admin', declaredBy: 'token:test-admin', lockedSafe: ['B02-U1'] },
  });
  t.equal(events('estate.alert.fire_all_open').length, 1);
  const off = await fire(false);
  t.equal(off.status, 200);
  t.match(await off.json(), { active: false });
  t.equal(events('estate.door.fire_cleared').length, 1);
  t.same(
    audit('fire.declare')
      .concat(audit('fire.clear'))
      .map((a) => [a.actor, a.outcome]),
    [
      ['token:test-admin', 'ok'],
      ['token:test-admin', 'ok'],
    ],
  );
});
