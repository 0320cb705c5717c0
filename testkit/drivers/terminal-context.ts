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

/** A simulated terminal a vendor driver test runs against: its port, and the password it has. */
export interface TerminalUnderTest {
  id: string;
  port: number;
  options?: Record<string, unknown>;
  /** The password the gateway logs in with; the terminal's own when not given. */
  password?: string;
}

/**
 * A vendor driver (Hikvision, Dahua) started against simulated terminals: each reader logs
 * in as `admin` with `password`, probes every second, times out after a second, pushes with
 * `push-<id>`; the listener is started after the driver registered its routes.
 */
export async function startVendorDriver<D extends { start(): Promise<void>; stop(): Promise<void> }>(
  t: Test,
  create: (ctx: TerminalContext['ctx']) => D,
  password: string,
  readers: TerminalUnderTest[],
  state: DriverState = new MemoryDriverState(),
): Promise<TerminalContext & { driver: D; url: string }> {
  const tc = terminalContext(
    t,
    readers.map((r) => ({
      id: r.id,
      door: 'B01-U1',
      options: { host: '127.0.0.1', port: r.port, probeSeconds: 1, timeoutMs: 1000, ...r.options },
    })),
    {
      logins: Object.fromEntries(
        readers.map((r) => [r.id, { username: 'admin', password: r.password ?? password }]),
      ),
      readerPasswords: Object.fromEntries(readers.map((r) => [r.id, `push-${r.id}`])),
      state,
    },
  );
  const driver = create(tc.ctx);
  const url = await tc.listen();
  await driver.start();
  t.teardown(() => driver.stop());
  return { ...tc, driver, url };
}
