import t from 'tap';
import { startGateway, type TestGateway } from '../../testkit/gateway.js';

/** Issue 9 item 8: an open /api/live stream ends with its session. */

const PASSWORD = 'correct-horse-battery';

async function session(g: TestGateway, user: string) {
  const res = await fetch(`${g.httpUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, password: PASSWORD }),
  });
  const body = (await res.json()) as { csrf: string };
  return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '', csrf: body.csrf };
}

/** Cancels of every stream opened, run at teardown so a failed test does not hang on one. */
const opened: Array<() => Promise<unknown>> = [];

/** Opens the live stream; `ended` resolves when the server closes it. */
async function stream(g: TestGateway, headers: Record<string, string>) {
  const res = await fetch(`${g.httpUrl}/api/live`, { headers });
  if (res.status !== 200 || !res.body) throw new Error(`live: ${res.status}`);
  const reader = res.body.getReader();
  opened.push(() => reader.cancel().catch(() => undefined));
  const ended = (async () => {
    for (;;) if ((await reader.read()).done) return true;
  })().catch(() => true);
  return { ended, cancel: () => reader.cancel().catch(() => undefined) };
}

t.test('logout, disabling, a password change and an expired session end live streams', async (t) => {
  const g = await startGateway(t, { dashboard: { liveHeartbeatSeconds: 1 } });
  t.teardown(() => Promise.all(opened.map((c) => c())));
  for (const name of ['wu', 'zheng'])
    await g.api('/api/users', {
      as: 'admin',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, role: 'viewer', password: PASSWORD }),
    });
  const write = (s: { cookie: string; csrf: string }, method: string, path: string, body?: unknown) =>
    fetch(`${g.httpUrl}${path}`, {
      method,
      headers: {
        cookie: s.cookie,
        'x-csrf-token': s.csrf,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const admin = (method: string, path: string, body: unknown) =>
    g.api(path, {
      as: 'admin',
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  // Logout ends this session's stream, not the user's other one.
  const a = await session(g, 'wu');
  const b = await session(g, 'wu');
  const sa = await stream(g, { cookie: a.cookie });
  const sb = await stream(g, { cookie: b.cookie });
  const byToken = await stream(g, { authorization: `Bearer ${g.tokens.viewer}` });
  t.teardown(() => byToken.cancel());
  t.equal((await write(a, 'DELETE', '/api/session')).status, 204);
  t.ok(await sa.ended, 'logout ends the stream of that session');

  // A password set by an admin ends every stream of the user.
  t.equal((await admin('POST', '/api/users/wu/password', {})).status, 200);
  t.ok(await sb.ended, 'a new password ends the user’s streams');

  // Disabling the account ends its streams.
  const c = await session(g, 'zheng');
  const sc = await stream(g, { cookie: c.cookie });
  t.equal((await admin('PATCH', '/api/users/zheng', { disabled: true })).status, 200);
  t.ok(await sc.ended, 'a disabled account’s stream ends');

  // Changed behind the process's back (the CLI on the same database): the heartbeat finds it.
  t.equal((await admin('PATCH', '/api/users/zheng', { disabled: false })).status, 200);
  const d = await session(g, 'zheng');
  const sd = await stream(g, { cookie: d.cookie });
  g.gw.db.prepare("UPDATE users SET disabled = 1 WHERE name = 'zheng'").run();
  t.ok(await sd.ended, 'the next heartbeat ends a stream whose account was disabled elsewhere');
  g.gw.db.prepare("UPDATE users SET disabled = 0 WHERE name = 'zheng'").run();
  const e = await session(g, 'zheng');
  const se = await stream(g, { cookie: e.cookie });
  g.gw.db.prepare('UPDATE sessions SET expires_at = 0').run();
  t.ok(await se.ended, 'and one whose session expired');

  // An own password change ends the streams too (the browser reopens with the new cookie).
  const f = await session(g, 'zheng');
  const sf = await stream(g, { cookie: f.cookie });
  t.equal(
    (
      await write(f, 'POST', '/api/session/password', {
        current: PASSWORD,
        password: 'another-long-password',
      })
    ).status,
    200,
  );
  t.ok(await sf.ended, 'an own password change ends the user’s streams');

  // The API token's stream goes on.
  const alive = await Promise.race([
    byToken.ended.then(() => 'ended'),
    new Promise((r) => setImmediate(r, 'open')),
  ]);
  t.equal(alive, 'open', 'a token stream is not a session’s');
  t.ok(
    g.logs.some((l) => l.msg === 'live stream ended: its session is no longer valid'),
    'the heartbeat says why it ended a stream',
  );
});
