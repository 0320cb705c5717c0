import net from 'node:net';
import { waitFor } from './wait.js';

/** A TCP port free right now on 127.0.0.1 (for servers that cannot bind port 0, like mosquitto). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** True when something accepts a connection on the port right now. */
function accepts(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/**
 * Resolves once something accepts connections on the port (a child process's server:
 * nothing to subscribe to from here, so it polls).
 */
export function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  return waitFor(() => accepts(port), { timeoutMs, everyMs: 50 }, `a server on port ${port}`);
}
