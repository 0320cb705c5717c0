/**
 * Waiting in tests: for a state, never for a stretch of time (issue 8). Prefer an event
 * (`waitForEvent`, a simulated device's `expect`); poll with `waitFor` only where nothing
 * can be subscribed to (a database another process writes, a counter of a library).
 * Every wait has a deadline and says what it waited for when it runs out.
 */
/**
 * Anything events can be awaited on: a node EventEmitter, an MQTT.js client (its typed
 * emitter is not one by type), a FaceTerminal.
 */
export interface Listenable {
  on(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
}

/** A listener of any event: emitters type their listeners' arguments in many ways. */
// biome-ignore lint/suspicious/noExplicitAny: the one type both node's and MQTT.js's emitters accept
type Listener = (...args: any[]) => void;

/** How long and how often a poll looks. */
export interface PollOptions {
  /** Fails after this long, ms (default 10,000). */
  timeoutMs?: number;
  /** Looks again after this long, ms (default 20): raise it where one look is costly. */
  everyMs?: number;
}

/**
 * Resolves once `done()` holds (it may be async), looking now and then every `everyMs`;
 * rejects after `timeoutMs` with `timed out waiting for <what>`.
 */
export async function waitFor(
  done: () => boolean | Promise<boolean>,
  timeoutMs: number | PollOptions = 10_000,
  what = 'condition',
): Promise<void> {
  const o = typeof timeoutMs === 'number' ? { timeoutMs } : timeoutMs;
  const limit = o.timeoutMs ?? 10_000;
  const end = Date.now() + limit;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (${limit} ms)`);
    await new Promise((r) => setTimeout(r, o.everyMs ?? 20));
  }
}

/**
 * Resolves with the arguments of the next `event` of `emitter` that `accept` takes (any,
 * when omitted); rejects after `timeoutMs`. The listener is on before this returns, so
 * an event caused by what the caller does next is not missed.
 */
export function waitForEvent<A extends unknown[] = unknown[]>(
  emitter: Listenable,
  event: string,
  accept: (...args: A) => boolean = () => true,
  timeoutMs = 10_000,
  what = `event '${event}'`,
): Promise<A> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out waiting for ${what} (${timeoutMs} ms)`));
    }, timeoutMs);
    const listener = (...args: unknown[]) => {
      if (!accept(...(args as A))) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(args as A);
    };
    emitter.on(event, listener);
  });
}

/**
 * Resolves once `done()` holds, looking now and after every `event` of `emitter` (the
 * event that changes the state); rejects after `timeoutMs`.
 */
export async function waitForState(
  emitter: Listenable,
  event: string,
  done: () => boolean,
  timeoutMs = 10_000,
  what = 'state',
): Promise<void> {
  if (done()) return;
  await waitForEvent(emitter, event, () => done(), timeoutMs, what);
}

/**
 * A predicate that holds for the `n`th thing `match` accepts, counted from when it is
 * made: `reader.expect(nth(2, samCommand(CMD_FIND)))` waits for the second find.
 */
export function nth<T>(n: number, match: (x: T) => boolean): (x: T) => boolean {
  let seen = 0;
  return (x) => match(x) && ++seen === n;
}
