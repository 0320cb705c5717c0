import t from 'tap';
import { DigestClient, DigestServer, digestResponse, parseChallenge } from '../../core/digest.js';

// RFC 7616 §3.9.1's MD5 example (the "Mufasa" exchange of RFC 2617 §3.5).
t.test('the RFC example response', (t) => {
  t.equal(
    digestResponse({
      username: 'Mufasa',
      password: 'Circle Of Life',
      realm: 'testrealm@host.com',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      method: 'GET',
      uri: '/dir/index.html',
      qop: 'auth',
      nc: '00000001',
      cnonce: '0a4f113b',
    }),
    '6629fae49393a05397450978507c4ef1',
  );
  t.end();
});

t.test('challenges as devices send them are parsed; non-Digest and non-MD5 are not', (t) => {
  // Hikvision: quoted qop, realm "DS-…"; Dahua: realm "Login to …"; unquoted values; other order.
  t.match(parseChallenge('Digest qop="auth", realm="DS-K1T673", nonce="abc==", stale="FALSE"'), {
    realm: 'DS-K1T673',
    nonce: 'abc==',
    qop: 'auth',
    stale: false,
  });
  t.match(
    parseChallenge([
      'Basic realm="x"',
      'Digest realm="Login to 8f3c", nonce=n1, qop=auth,auth-int, opaque="o"',
    ]),
    {
      realm: 'Login to 8f3c',
      nonce: 'n1',
      qop: 'auth',
      opaque: 'o',
    },
  );
  t.match(parseChallenge('Digest realm="r", nonce="n", stale=true'), { qop: null, stale: true });
  t.equal(parseChallenge('Basic realm="x"'), null);
  t.equal(parseChallenge('Digest realm="r", nonce="n", algorithm=SHA-256'), null);
  t.equal(parseChallenge('Digest realm="r"'), null, 'no nonce');
  t.equal(parseChallenge(undefined), null);
  t.end();
});

t.test('a client and a server agree; wrong password, replayed-out nonce and bad header are refused', (t) => {
  let now = 1000;
  const server = new DigestServer({
    realm: 'DS-1',
    users: (u) => (u === 'admin' ? 'pw' : undefined),
    maxUses: 2,
    nonceTtlMs: 60_000,
    now: () => now,
  });
  const client = new DigestClient('admin', 'pw');
  t.equal(client.authorization('GET', '/x'), null, 'nothing to answer before a challenge');
  t.ok(client.challenge(server.challenge()));
  const uri = '/ISAPI/AccessControl/AcsEvent?format=json';
  t.same(server.verify(client.authorization('POST', uri) ?? undefined, 'POST'), {
    ok: true,
    username: 'admin',
  });
  t.same(server.verify(client.authorization('POST', uri) ?? undefined, 'POST'), {
    ok: true,
    username: 'admin',
  });
  t.same(server.verify(client.authorization('POST', uri) ?? undefined, 'POST'), {
    ok: false,
    why: 'stale_nonce',
  });
  const nc = /nc=(\w+)/.exec(client.authorization('GET', '/') ?? '')?.[1];
  t.equal(nc, '00000004', 'nc counts every use of the nonce');
  client.challenge(server.challenge(true));
  t.same(
    server.verify(client.authorization('GET', uri) ?? undefined, 'POST'),
    { ok: false, why: 'bad_response' },
    'method is signed',
  );
  now += 61_000;
  t.same(
    server.verify(client.authorization('GET', uri) ?? undefined, 'GET'),
    { ok: false, why: 'stale_nonce' },
    'nonce expired',
  );
  const wrong = new DigestClient('admin', 'nope');
  wrong.challenge(server.challenge());
  t.same(server.verify(wrong.authorization('GET', '/') ?? undefined, 'GET'), {
    ok: false,
    why: 'bad_response',
  });
  const stranger = new DigestClient('root', 'pw');
  stranger.challenge(server.challenge());
  t.same(server.verify(stranger.authorization('GET', '/') ?? undefined, 'GET'), {
    ok: false,
    why: 'unknown_user',
  });
  t.same(server.verify(undefined, 'GET'), { ok: false, why: 'missing' });
  t.same(server.verify('Digest garbage', 'GET'), { ok: false, why: 'malformed' });
  t.end();
});
