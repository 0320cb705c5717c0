import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Test } from 'tap';
import { stringify } from 'yaml';
import { build, type GatewayDeps } from '../gateway/build.js';
import type { Gateway } from '../gateway/gateway.js';
import { createLogger } from '../gateway/log.js';
import type { RosterSnapshot } from '../gateway/roster/model.js';
import { saveRoster } from '../gateway/roster/repository.js';
import { loaded } from './config.js';
import { tmpDir } from './tmp.js';

/** Two households in B01 and one in B02; faces F-R00001… as in testkit/load-reader.ts. */
export const TEST_ROSTER: RosterSnapshot = {
  buildings: [
    { id: 'B01', name: '1号楼' },
    { id: 'B02', name: '2号楼' },
  ],
  entrances: [],
  households: [
    {
      id: 'H1',
      buildingId: 'B01',
      entranceId: 'B01-U1',
      room: '0101',
      housingType: 'gongzu',
      leaseStart: null,
      leaseEnd: null,
      status: 'active',
    },
    {
      id: 'H2',
      buildingId: 'B02',
      entranceId: 'B02-U1',
      room: '0201',
      housingType: 'baozu',
      leaseStart: null,
      leaseEnd: null,
      status: 'active',
    },
  ],
  residents: [
    {
      id: 'R00001',
      householdId: 'H1',
      role: 'leaseholder',
      name: '张伟',
      idHash: null,
      idMasked: '310***********2014',
      phoneMasked: null,
      validFrom: null,
      validTo: null,
      status: 'active',
    },
    {
      id: 'R00002',
      householdId: 'H1',
      role: 'co_resident',
      name: '李娜',
      idHash: null,
      idMasked: null,
      phoneMasked: null,
      validFrom: null,
      validTo: null,
      status: 'moved_out',
    },
    {
      id: 'R00003',
      householdId: 'H2',
      role: 'leaseholder',
      name: '王强',
      idHash: null,
      idMasked: null,
      phoneMasked: null,
      validFrom: null,
      validTo: null,
      status: 'active',
    },
  ],
  credentials: [
    { kind: 'face', key: 'F-R00001', residentId: 'R00001' },
    { kind: 'card', key: '04A1B2C3', residentId: 'R00001' },
    { kind: 'face', key: 'F-R00002', residentId: 'R00002' },
    { kind: 'face', key: 'F-R00003', residentId: 'R00003' },
  ],
};

export interface TestGateway {
  gw: Gateway;
  dir: string;
  brokerUrl: string;
  httpUrl: string;
  /** Every log line, parsed. */
  logs: Array<Record<string, unknown>>;
  /** API tokens (secrets file `api.tokens`) of each role, for HTTP API tests. */
  tokens: Record<'viewer' | 'operator' | 'admin', string>;
  /** fetch against the gateway with the API token of a role (default viewer). */
  api: (
    urlPath: string,
    init?: RequestInit & { as?: 'viewer' | 'operator' | 'admin' | null },
  ) => Promise<Response>;
}

/**
 * Writes a secrets file with an API token per role (what an installer puts in `api.tokens`),
 * and any further secrets a test names (`upstream.hmacKey` shared with a simulated district,
 * `terminals` logins for vendor terminals, `cameras` logins of issue 13).
 */
export function writeTestSecrets(dir: string, extra: Record<string, unknown> = {}): TestGateway['tokens'] {
  const tokens = {
    viewer: randomBytes(16).toString('hex'),
    operator: randomBytes(16).toString('hex'),
    admin: randomBytes(16).toString('hex'),
  };
  const secrets = {
    idHashKey: randomBytes(32).toString('hex'),
    readers: {},
    api: { tokens: Object.entries(tokens).map(([role, token]) => ({ name: `test-${role}`, token, role })) },
    ...extra,
  };
  writeFileSync(path.join(dir, 'secrets.yaml'), stringify(secrets), { mode: 0o600 });
  return tokens;
}

/**
 * Builds and starts a Gateway in this process on ephemeral ports, with the test roster
 * in its store before it starts; `deps` may give it a serial binding (binding-mock with a
 * simulated device).
 */
export async function startGateway(
  t: Test,
  over: Record<string, unknown> = {},
  roster: RosterSnapshot | null = TEST_ROSTER,
  deps: Pick<GatewayDeps, 'serialBinding'> = {},
  secrets: Record<string, unknown> = {},
): Promise<TestGateway> {
  const { dir, cleanup } = tmpDir('gw-');
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n'))
        if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const log = createLogger({ level: 'debug', destination: sink });
  const tokens = writeTestSecrets(dir, secrets);
  const gw = build(loaded(dir, over), { log, ...deps });
  t.teardown(async () => {
    await gw.stop();
    cleanup();
  });
  await gw.open();
  if (roster) saveRoster(gw.db, roster, 'merge', Date.now(), 'test-1');
  await gw.start();
  const brokerPort = gw.brokerPort;
  const httpUrl = gw.httpUrl;
  return {
    gw,
    dir,
    brokerUrl: brokerPort ? `mqtt://127.0.0.1:${brokerPort}` : '',
    httpUrl,
    logs,
    tokens,
    api: (urlPath, init = {}) => {
      const { as = 'viewer', ...rest } = init;
      const headers = new Headers(rest.headers);
      if (as) headers.set('authorization', `Bearer ${tokens[as]}`);
      return fetch(`${httpUrl}${urlPath}`, { ...rest, headers });
    },
  };
}

/** Polls until `f` returns true, or fails after timeoutMs (testkit/wait.ts). */
export { waitFor as until } from './wait.js';
