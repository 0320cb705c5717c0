import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/** The files makeCerts writes, as paths. */
export interface TestCerts {
  ca: string;
  caKey: string;
  cert: string;
  key: string;
  /** A client certificate signed by the CA (mutual TLS), when asked for. */
  clientCert?: string;
  clientKey?: string;
}

/**
 * A throwaway CA and a server certificate for 127.0.0.1 (and a client certificate signed
 * by the same CA, when `client` names its CN), made with openssl in `dir`: what a TLS
 * test of a broker or an upstream needs, and what CI has installed.
 */
export function makeCerts(dir: string, o: { client?: string } = {}): TestCerts {
  const run = (...a: string[]) => execFileSync('openssl', a, { cwd: dir, stdio: 'pipe' });
  const key = (name: string) => ['-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`];
  run('req', '-x509', ...key('ca'), '-days', '2', '-subj', '/CN=estate test CA', '-out', 'ca.pem');
  const sign = (name: string, cn: string, ext: string) => {
    run('req', ...key(name), '-subj', `/CN=${cn}`, '-out', `${name}.csr`);
    writeFileSync(path.join(dir, `${name}.cnf`), ext);
    run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.cnf`,
      '-out',
      `${name}.pem`,
    );
  };
  sign('server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1\n');
  if (o.client) sign('client', o.client, 'extendedKeyUsage=clientAuth\n');
  const p = (f: string) => path.join(dir, f);
  return {
    ca: p('ca.pem'),
    caKey: p('ca.key'),
    cert: p('server.pem'),
    key: p('server.key'),
    ...(o.client ? { clientCert: p('client.pem'), clientKey: p('client.key') } : {}),
  };
}
