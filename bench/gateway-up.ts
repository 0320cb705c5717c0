import type { Daemon } from '../testkit/daemon.js';
import { waitFor } from '../testkit/wait.js';

/**
 * Starts a bench daemon and waits until /healthz answers 200, as side-by-side.sh does. On
 * a loaded box a gateway with a large roster may take longer than Daemon.start's 15 s to
 * listen; that is not a failure while the process still runs, so the wait goes on up to
 * `timeoutMs`.
 */
export async function startHealthy(daemon: Daemon, httpPort: number, timeoutMs = 120_000): Promise<void> {
  await daemon.start().catch((err: Error) => {
    if (daemon.exited) throw err;
  });
  await waitFor(
    async () => {
      if (daemon.exited) throw new Error(`the gateway exited while starting: ${daemon.stderr.slice(-2000)}`);
      return (await fetch(`http://127.0.0.1:${httpPort}/healthz`).catch(() => undefined))?.ok === true;
    },
    { timeoutMs, everyMs: 200 },
    'the gateway healthy',
  );
}
