import t from 'tap';
import { stringify } from 'yaml';
import { GatewayError } from '../../core/errors.js';
import { DRIVERS } from '../../drivers/registry.js';
import { type ConfigProblem, parseConfig } from '../../gateway/config/load.js';
import { testConfigObject } from '../../testkit/config.js';
import { districtKey } from '../../testkit/roster-sync.js';

// check-config on the issue 14 sections: every mistake a clear `path: message`.

function problems(over: Record<string, unknown>): ConfigProblem[] {
  try {
    parseConfig(stringify(testConfigObject(over)), DRIVERS);
    return [];
  } catch (err) {
    if (err instanceof GatewayError) return err.context.problems as ConfigProblem[];
    throw err;
  }
}

t.test('roster sync: keys decode, differ, and an enabled sync has a key and a way in', async (t) => {
  const k = districtKey().config;
  t.same(
    problems({ rosterSync: { enabled: true, pullUrl: 'https://d.example/roster', publicKeys: [k] } }),
    [],
  );
  t.match(problems({ rosterSync: { enabled: true, pullUrl: 'https://d.example/roster' } }), [
    { path: 'rosterSync.publicKeys', message: /needs the district system’s public key/ },
  ]);
  t.match(problems({ rosterSync: { enabled: true, publicKeys: [k] } }), [
    { path: 'rosterSync', message: /needs mqttUrl or pullUrl/ },
  ]);
  t.match(problems({ rosterSync: { publicKeys: [{ key: 'not-a-key', label: 'x' }] } }), [
    { path: 'rosterSync.publicKeys[0].key', message: /32-byte Ed25519 public key/ },
  ]);
  t.match(problems({ rosterSync: { publicKeys: [k, k] } }), [
    { path: 'rosterSync.publicKeys[1].key', message: /the same key twice/ },
  ]);
  const three = [districtKey().config, districtKey().config, districtKey().config];
  t.match(problems({ rosterSync: { publicKeys: three } }), [{ path: 'rosterSync.publicKeys', message: /2/ }]);
});

t.test('VIID: a platform and a 20-digit device id whose fields make sense', async (t) => {
  t.same(
    problems({ viid: { enabled: true, url: 'http://10.1.2.3:8080', deviceId: '31010400001320000001' } }),
    [],
  );
  t.match(problems({ viid: { enabled: true, deviceId: '31010400001320000001' } }), [
    { path: 'viid.url', message: /required/ },
  ]);
  t.match(problems({ viid: { enabled: true, url: 'http://x', deviceId: '99010400001320000001' } }), [
    { path: 'viid.deviceId', message: /province code/ },
  ]);
  t.match(problems({ viid: { deviceId: '3101040000132000001' } }), [{ path: 'viid.deviceId' }]);
  t.match(problems({ viid: { readerDeviceIds: { 'NO-SUCH': '31010400001320000002' } } }), [
    { path: 'viid.readerDeviceIds.NO-SUCH', message: /no reader with id "NO-SUCH"/ },
  ]);
  t.match(problems({ viid: { faces: ['everyone'] } }), [{ path: 'viid.faces[0]' }]);
});
