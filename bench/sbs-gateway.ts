import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeConfig } from '../testkit/daemon.js';
import { sideBySideRoster } from './sbs-roster.js';

const ROOT = path.join(import.meta.dirname, '..', '..');

/** The 20 reader ids of side-by-side.sh's load generator (L00…L19), all at one gate. */
export const SBS_READERS = Array.from({ length: 20 }, (_, i) => `L${String(i).padStart(2, '0')}`);

/** What differs between the benches that run side-by-side.sh's gateway. */
export interface SbsGatewayOptions {
  estateId: string;
  estateName: string;
  gatewayId: string;
  httpPort: number;
  /** The broker the readers talk to. */
  mqttUrl: string;
  residents: number;
  /** The config's `upstream` section, when the bench measures it. */
  upstream?: Record<string, unknown>;
}

/**
 * Writes side-by-side.sh's gateway into `dir` — its config (one gate, SBS_READERS, quiet
 * logs) and its roster, imported by the real CLI — and returns the config file.
 */
export function sideBySideGateway(dir: string, o: SbsGatewayOptions): string {
  const file = writeConfig(dir, {
    estate: { id: o.estateId, name: o.estateName },
    gateway: { id: o.gatewayId },
    log: { level: 'warn' },
    http: { host: '127.0.0.1', port: o.httpPort },
    mqtt: { url: o.mqttUrl },
    ...(o.upstream ? { upstream: o.upstream } : {}),
    doors: [{ id: 'GATE', name: '大门' }],
    readers: SBS_READERS.map((id) => ({ id, door: 'GATE' })),
  });
  const rosterFile = path.join(dir, 'roster.json');
  writeFileSync(rosterFile, JSON.stringify(sideBySideRoster(o.residents)));
  execFileSync(process.execPath, [
    path.join(ROOT, 'dist', 'cli', 'main.js'),
    'roster',
    'import',
    rosterFile,
    '--config',
    file,
  ]);
  return file;
}
