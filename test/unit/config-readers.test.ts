import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { GatewayError } from '../../core/errors.js';
import { DRIVERS } from '../../drivers/registry.js';
import { type ConfigProblem, parseConfig } from '../../gateway/config/load.js';

// Issue 3: serial reader options and door locks are checked at config load, every
// problem with its path and line, so check-config lists them and the daemon refuses them.

function problems(text: string): string[] {
  try {
    parseConfig(text, DRIVERS);
    return [];
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    return (err.context.problems as ConfigProblem[]).map((p) => `${p.line ?? '-'} ${p.path}: ${p.message}`);
  }
}

const HEAD = `estate: {id: E, name: 小区}
gateway: {id: g}
`;

t.test('bad reader options are reported per field with the line', async (t) => {
  const yaml = `${HEAD}doors:
  - {id: D1, name: 门1, lock: L1}
readers:
  - id: FP1
    door: D1
    driver: fingerprint
    options: {path: /dev/ttyUSB0, baudRate: fast, pollMs: 5}
  - id: IC1
    door: D1
    driver: idcard
    options:
      baudrate: 115200
  - id: W1
    door: D1
    driver: wiegand
    options: {path: 'tcp://box:99999', format: ebcdic}
  - id: L1
    door: D1
    driver: modbus-relay
    options: {path: /dev/ttyS1, unit: 0, parity: mark}
`;
  t.same(problems(yaml), [
    '9 readers[0].options.baudRate: must be an integer from 9600 to 921600',
    '9 readers[0].options.pollMs: must be an integer from 10 to 10000',
    '14 readers[1].options.path: must be a non-empty string',
    '14 readers[1].options.baudrate: unknown option (this driver reads: baudRate, path, pollMs, readTimeoutMs, removeAfterPolls, retries, timeoutMs)',
    '18 readers[2].options.path: must be tcp://host:port with a port 1..65535',
    '18 readers[2].options.format: must be one of hex-cr, decimal-crlf, stx-etx',
    '22 readers[3].options.parity: must be one of none, even, odd',
    '22 readers[3].options.unit: must be an integer from 1 to 247',
  ]);
});

t.test('good serial options pass; mqtt-v1 readers take any options', async (t) => {
  const yaml = `${HEAD}doors:
  - {id: D1, name: 门1, lock: L1}
readers:
  - {id: T1, door: D1, options: {anything: 1}}
  - {id: FP1, door: D1, driver: fingerprint, options: {path: 'tcp://127.0.0.1:4001', address: 4294967295}}
  - {id: IC1, door: D1, driver: idcard, options: {path: /dev/ttyUSB1}}
  - {id: W1, door: D1, driver: wiegand, options: {path: '/dev/ttyUSB2', format: stx-etx, payload: uid}}
  - {id: L1, door: D1, driver: modbus-relay, options: {path: /dev/ttyS1, unit: 3, coil: 2}}
`;
  t.same(problems(yaml), []);
  const c = parseConfig(yaml, DRIVERS);
  t.equal(c.doors[0]?.lock, 'L1');
  t.equal(c.doors[0]?.factors, 'one', 'factors defaults to one');
  t.equal(c.checks.personCardWindowSeconds, 10, 'the person–card window defaults to 10 s');
});

t.test('door locks must name a relay at that door, and every relay must be named', async (t) => {
  const yaml = `${HEAD}doors:
  - {id: D1, name: 门1, lock: T1}
  - {id: D2, name: 门2, lock: NOPE}
  - {id: D3, name: 门3, lock: L4}
  - {id: D4, name: 门4}
readers:
  - {id: T1, door: D1}
  - {id: L4, door: D4, driver: modbus-relay, options: {path: /dev/ttyS1}}
`;
  t.same(problems(yaml), [
    '4 doors[0].lock: reader "T1" is not a lock (its driver is mqtt-v1; locks: modbus-relay)',
    '5 doors[1].lock: no reader with id "NOPE"',
    '6 doors[2].lock: lock "L4" is configured at door "D4"',
    '10 readers[1].door: lock "L4" would never open: set lock: L4 on door "D4"',
  ]);
});

t.test('check-config prints option problems; run refuses to start (exit 78)', async (t) => {
  const { spawnSync } = await import('node:child_process');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'bad.yaml');
  writeFileSync(
    file,
    `${HEAD}dataDir: ${dir}\nsecretsFile: ${dir}/s.yaml\ndoors: [{id: D1, name: 门1}]\nreaders:\n  - {id: FP1, door: D1, driver: fingerprint, options: {path: /dev/null, retries: 99}}\n`,
  );
  const main = path.join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
  const check = spawnSync(process.execPath, [main, 'check-config', file], { encoding: 'utf8' });
  t.equal(check.status, 1);
  t.match(check.stderr, `${file}:7 readers[0].options.retries: must be an integer from 0 to 10`);
  const run = spawnSync(process.execPath, [main, 'run', '--config', file], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  t.equal(run.status, 78, 'EX_CONFIG');
  t.match(run.stderr, /readers\[0\]\.options\.retries/);
  t.match(run.stderr, /the gateway will not start/);
});

t.test('vendor terminal options (issue 11): each bad field with its line; good ones pass', async (t) => {
  const yaml = `${HEAD}doors:
  - {id: D1, name: 门1}
readers:
  - id: HK1
    door: D1
    driver: hikvision-isapi
    options: {port: 0, events: mqtt, cardFormat: octal}
  - id: DH1
    door: D1
    driver: dahua
    options: {host: 'http://10.0.0.5/', channel: 0, maxPictureBytes: 1}
`;
  t.same(problems(yaml), [
    '9 readers[0].options.host: must be a non-empty string',
    '9 readers[0].options.port: must be an integer from 1 to 65535',
    '9 readers[0].options.events: must be one of stream, push',
    '9 readers[0].options.cardFormat: must be one of decimal, hex',
    '13 readers[1].options.host: must be a host name or IP address (no http://, port or path)',
    '13 readers[1].options.channel: must be an integer from 1 to 16',
    '13 readers[1].options.maxPictureBytes: must be an integer from 1024 to 8388608',
  ]);
  t.same(
    problems(`${HEAD}doors:
  - {id: D1, name: 门1}
readers:
  - {id: HK1, door: D1, driver: hikvision-isapi, options: {host: 10.0.0.5, events: push, pushAuth: digest}}
  - {id: DH1, door: D1, driver: dahua, options: {host: 'fe80::1', events: snap, channel: 2}}
`),
    [],
  );
});
