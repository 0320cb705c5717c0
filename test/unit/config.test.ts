import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { GatewayError } from '../../core/errors.js';
import { DRIVERS } from '../../drivers/registry.js';
import { type ConfigProblem, loadConfig, parseConfig } from '../../gateway/config/load.js';
import { schemaJson } from '../../gateway/config/schema-json.js';

const root = path.join(import.meta.dirname, '..', '..');

function problems(text: string): string[] {
  try {
    parseConfig(text, DRIVERS);
    return [];
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    return (err.context.problems as ConfigProblem[]).map((p) => `${p.line ?? '-'} ${p.path}: ${p.message}`);
  }
}

t.test('the shipped configs are valid', async (t) => {
  for (const f of ['config/default.yaml', 'config/example.production.yaml']) {
    const l = loadConfig(path.join(root, f), DRIVERS);
    t.ok(l.config.readers.length > 0, f);
    t.ok(Object.isFrozen(l.config) && Object.isFrozen(l.config.readers[0]), 'deep-frozen');
  }
  const d = loadConfig(path.join(root, 'config/default.yaml'), DRIVERS);
  t.equal(d.dataDir, path.join(root, 'var'), 'relative paths resolve against the config file');
  t.equal(d.config.mqtt.url, null);
  t.equal(d.config.readers[0]?.driver, 'mqtt-v1', 'defaults filled in');
});

t.test('config/config.schema.json is generated from the TypeBox source', async (t) => {
  t.equal(
    readFileSync(path.join(root, 'config/config.schema.json'), 'utf8'),
    schemaJson(),
    'run `npm run build && npm run schema`',
  );
});

t.test('every problem is reported with path and line', async (t) => {
  const got = problems(readFileSync(path.join(root, 'test/fixtures/config/bad.yaml'), 'utf8'));
  t.same(got, [
    '2 estate: missing required field "name"',
    '2 estate.id: must match pattern "^[A-Za-z0-9_.:-]+$"',
    '3 gateway: missing required field "id"',
    '5 mqtt.url: must match pattern "^(mqtt|mqtts|tcp|tls)://"; must be null',
    '6 mqtt.protocolVersion: must be one of: 4, 5',
    '8 doors[0].policy: must be one of: "enforce", "monitor"',
    '9 doors[1].id: duplicate door id "D1"',
    '11 readers[0].drver: unknown field (check the spelling against config/config.schema.json)',
    '11 readers[0].door: no door with id "D9"',
    '12 readers[1].driver: unknown driver "nope" (known: mqtt-v1, fingerprint, idcard, wiegand, modbus-relay, hikvision-isapi, dahua, onvif)',
    '13 checks.faceMinScore: must be <= 1',
  ]);
});

t.test('broken files', async (t) => {
  t.match(problems('a: [1,\n b: 2'), [/YAML:/]);
  t.match(problems('- just\n- a list'), [/mapping/]);
  t.match(problems(''), [/missing required field "estate"/, /missing required field "gateway"/]);
  t.match(problems('estate: {id: E, name: n}\ngateway: {id: g}\nupstream: {enabled: true}\n'), [
    '3 upstream.url: required when upstream.enabled is true',
  ]);
  t.throws(() => loadConfig('/nonexistent/config.yaml', DRIVERS), { code: 'CONFIG_INVALID' });
});
