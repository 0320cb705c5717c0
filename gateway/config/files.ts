import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import type { ConfigProblem } from './load.js';
import type { Config } from './schema.js';

/**
 * Problems with the files a configuration names, found before the gateway starts
 * (`check-config`, issue 9 item 10: it printed OK for TLS files that did not exist).
 * Paths are checked as the daemon opens them: relative to its working directory.
 */
export function fileProblems(config: Config): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const file = (p: string | undefined, where: string) => {
    if (p === undefined) return;
    const abs = path.resolve(p);
    try {
      accessSync(abs, constants.R_OK);
      if (!statSync(abs).isFile()) out.push({ path: where, message: `${abs} is not a file` });
    } catch {
      out.push({ path: where, message: `${abs} does not exist or cannot be read` });
    }
  };
  const tls = (t: { ca?: string; cert?: string; key?: string } | undefined, where: string) => {
    if (!t) return;
    file(t.ca, `${where}.ca`);
    file(t.cert, `${where}.cert`);
    file(t.key, `${where}.key`);
    if ((t.cert === undefined) !== (t.key === undefined))
      out.push({ path: where, message: 'a client certificate needs both cert and key' });
  };
  if (config.mqtt.url !== null) tls(config.mqtt.tls, 'mqtt.tls');
  if (config.upstream.enabled) tls(config.upstream.tls, 'upstream.tls');
  const e = config.mqtt.embedded.tls;
  if (config.mqtt.url === null && e) {
    tls(e, 'mqtt.embedded.tls');
    if (e.requireClientCert && !e.ca)
      out.push({
        path: 'mqtt.embedded.tls.ca',
        message: 'requireClientCert needs the CA that signs the readers’ certificates',
      });
  }
  if (config.mqtt.url === null && !config.mqtt.embedded.plain && !e)
    out.push({
      path: 'mqtt.embedded',
      message: 'plain is off and no tls listener is set: readers could not connect',
    });
  return out;
}
