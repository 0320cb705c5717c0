import path from 'node:path';
import { stringify } from 'yaml';
import { DRIVERS } from '../drivers/registry.js';
import { type LoadedConfig, parseConfig } from '../gateway/config/load.js';
import type { Config } from '../gateway/config/schema.js';

/** A small valid estate: two buildings, a gate, readers T-GATE (in/out), T-B01, T-B02. */
export function testConfigObject(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    estate: { id: 'SH-TEST', name: '测试小区' },
    gateway: { id: 'gw-t' },
    log: { level: 'silent' },
    http: { host: '127.0.0.1', port: 0 },
    mqtt: { url: null, embedded: { host: '127.0.0.1', port: 0, requireAuth: false } },
    doors: [
      { id: 'GATE', name: '大门' },
      { id: 'B01-U1', name: '1号楼1单元', building: 'B01', entrance: 'B01-U1' },
      { id: 'B02-U1', name: '2号楼1单元', building: 'B02', entrance: 'B02-U1' },
    ],
    readers: [
      { id: 'T-GATE', door: 'GATE' },
      { id: 'T-GATE-OUT', door: 'GATE', direction: 'out' },
      { id: 'T-B01', door: 'B01-U1' },
      { id: 'T-B02', door: 'B02-U1' },
    ],
    ...over,
  };
}

/** Validated config with defaults, from an object (as a YAML file would give). */
export function testConfig(over: Record<string, unknown> = {}): Config {
  return parseConfig(stringify(testConfigObject(over)), DRIVERS);
}

/** A LoadedConfig whose data lives in `dir`. */
export function loaded(dir: string, over: Record<string, unknown> = {}): LoadedConfig {
  const config = testConfig(over);
  return {
    config,
    file: path.join(dir, 'config.yaml'),
    dataDir: dir,
    secretsFile: path.join(dir, 'secrets.yaml'),
  };
}
