import type { Test } from 'tap';
import { systemClock } from '../../core/clock.js';
import type { DriverReader } from '../../core/contracts.js';
import { MemoryDriverState } from '../../drivers/http/cursor.js';
import type { DriverSecrets, DriverState, TerminalLogin } from '../../drivers/types.js';
import { silentLogger } from '../../gateway/log.js';
import { createMetrics } from '../../gateway/metrics.js';
import { TerminalIngress } from '../../gateway/terminal-ingress.js';
import { makeContext } from './context.js';

/** What a vendor-terminal driver test gets: a context on the real clock, its sink, its listener. */
export interface TerminalContext {
  ctx: ReturnType<typeof makeContext>['ctx'];
  sink: ReturnType<typeof makeContext>['sink'];
  logLines: string[];
  /** The gateway's real terminal listener (started by `listen()`), which the driver registers on. */
  ingress: TerminalIngress;
  /** Starts the listener (after the driver registered its routes); returns its base URL. */
  listen: () => Promise<string>;
  state: DriverState;
}

/**
 * A DriverContext for HTTP terminal drivers: real clock (their timeouts and backoff are
 * real), the recording sink, driver state in memory (or the one given, to test a restart),
 * the secrets the test names, and the gateway's own terminal listener on a free port.
 */
export function terminalContext(
  t: Test,
  readers: DriverReader[],
  o: {
    logins?: Record<string, TerminalLogin>;
    readerPasswords?: Record<string, string>;
    state?: DriverState;
  } = {},
): TerminalContext {
  const base = makeContext(readers);
  const ingress = new TerminalIngress({
    host: '127.0.0.1',
    port: 0,
    maxConnections: 64,
    headersTimeoutMs: 2000,
    requestTimeoutMs: 10_000,
    log: silentLogger(),
    metrics: createMetrics(),
  });
  t.teardown(() => ingress.stop());
  const secrets: DriverSecrets = {
    terminalLogin: (id) => o.logins?.[id],
    readerPassword: (id) => o.readerPasswords?.[id],
    cameraLogin: () => undefined,
  };
  const state = o.state ?? new MemoryDriverState();
  return {
    ctx: { ...base.ctx, clock: systemClock, ingress, secrets, state },
    sink: base.sink,
    logLines: base.logLines,
    ingress,
    state,
    listen: async () => {
      await ingress.start();
      return `http://127.0.0.1:${ingress.port}`;
    },
  };
}
