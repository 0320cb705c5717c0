import type { Logger } from 'pino';
import { GatewayError } from '../core/errors.js';

/**
 * One part's start and stop, as the composition root lists them. A start that fails must
 * leave nothing of its own behind (close what it opened); the steps before it are stopped
 * by the lifecycle. A stop must tolerate being called once after a successful start.
 */
export interface Step {
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/** How long a stop step may take (node-red bounds node close at 15 s the same way). */
export const STOP_STEP_MS = 10_000;

/** What a lifecycle is built from. */
export interface LifecycleOptions {
  log: Logger;
  /** Bounds each stop step; STOP_STEP_MS by default. */
  stopStepMs?: number;
}

/**
 * Starts steps in order and stops them in reverse (style.md "Ordered lifecycle"). If a
 * step fails to start, the steps already started are stopped in reverse, the failure is
 * logged and start() rejects with it: nothing is left listening. Each stop step is bounded
 * by a timeout; every failure is logged, the remaining steps still stop, and stop()
 * rejects naming the steps that failed. Calls are serialised: a stop during a start runs
 * when the start has finished (or failed).
 */
export class Lifecycle {
  readonly #steps: readonly Step[];
  readonly #log: Logger;
  readonly #stopMs: number;
  /** How many of the steps, from the first, are started. */
  #up = 0;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(steps: readonly Step[], o: LifecycleOptions) {
    const names = new Set(steps.map((s) => s.name));
    if (names.size !== steps.length) throw new GatewayError('BAD_STEPS', 'two lifecycle steps share a name');
    this.#steps = steps;
    this.#log = o.log;
    this.#stopMs = o.stopStepMs ?? STOP_STEP_MS;
  }

  /** The step names, in start order. */
  get names(): string[] {
    return this.#steps.map((s) => s.name);
  }

  /** The steps started now, in start order. */
  get running(): string[] {
    return this.names.slice(0, this.#up);
  }

  /** True when every step is started. */
  get started(): boolean {
    return this.#up === this.#steps.length;
  }

  /**
   * Starts the steps not started yet, in order, through the one named `until` (all by
   * default): callers that fill the store before the rest runs start in two goes.
   */
  start(until?: string): Promise<void> {
    const last =
      until === undefined ? this.#steps.length - 1 : this.#steps.findIndex((s) => s.name === until);
    if (last < 0) return Promise.reject(new GatewayError('BAD_STEP', `no lifecycle step "${until}"`));
    return this.#serial(() => this.#start(last));
  }

  /** Stops the started steps in reverse. Rejects (after stopping all it can) when any step failed. */
  stop(): Promise<void> {
    return this.#serial(async () => {
      const failed = await this.#stopAll();
      if (failed.length > 0)
        throw new GatewayError('STOP_FAILED', `steps failed to stop: ${failed.join(', ')}`, {
          steps: failed,
        });
    });
  }

  #serial(f: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(f);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #start(last: number): Promise<void> {
    while (this.#up <= last) {
      const step = this.#steps[this.#up] as Step;
      try {
        await step.start();
      } catch (err) {
        this.#log.error(
          { err, step: step.name, started: this.running },
          `start failed at step "${step.name}"; stopping the steps already started`,
        );
        await this.#stopAll();
        throw err;
      }
      this.#up++;
    }
  }

  /** Stops every started step in reverse; returns the names of those that failed or timed out. */
  async #stopAll(): Promise<string[]> {
    const failed: string[] = [];
    while (this.#up > 0) {
      const step = this.#steps[this.#up - 1] as Step;
      this.#up--;
      try {
        await bounded(step, this.#stopMs);
      } catch (err) {
        failed.push(step.name);
        this.#log.error({ err, step: step.name }, `stop step "${step.name}" failed`);
      }
    }
    return failed;
  }
}

/** Runs a step's stop, rejecting with STOP_TIMEOUT when it takes longer than `ms`. */
async function bounded(step: Step, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(() => step.stop()),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new GatewayError('STOP_TIMEOUT', `${step.name} did not stop within ${ms} ms`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
