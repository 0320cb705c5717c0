import { execFile } from 'node:child_process';
import type { Logger } from 'pino';

/** What the notifier is built from; tests pass their own environment and command. */
export interface SdNotifyOptions {
  log: Logger;
  /** NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID: process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** The systemd-notify binary (PATH lookup by default). */
  command?: string;
  /** This process's id (WATCHDOG_PID must name it for the watchdog to be ours). */
  pid?: number;
}

/** A notification that has not finished in this long is given up (and logged). */
const NOTIFY_TIMEOUT_MS = 5000;

/**
 * The sd_notify protocol for `Type=notify` (issue 9 item 12): READY=1 once every part is
 * up, WATCHDOG=1 pings from the event loop, STOPPING=1 on the way down. Node has no unix
 * datagram socket and a native addon (zigbee2mqtt uses unix-dgram) needs a compiler on
 * the box, so each message is sent by systemd's own `systemd-notify`, with
 * `NotifyAccess=all` in the unit. systemd identifies a sender by its cgroup, and a
 * `systemd-notify` that exited before systemd read its message used to be lost; since
 * systemd 246 it waits for the manager to process the message (a barrier) before it
 * exits, so that race is gone (Debian 12 ships 252). Outside systemd (no NOTIFY_SOCKET)
 * every call does nothing.
 */
export class SdNotify {
  readonly #o: SdNotifyOptions;
  readonly #env: NodeJS.ProcessEnv;
  #timer: NodeJS.Timeout | undefined;
  #pinging = false;
  #failures = 0;

  constructor(o: SdNotifyOptions) {
    this.#o = o;
    this.#env = o.env ?? process.env;
  }

  /** True under a systemd unit of Type=notify. */
  get enabled(): boolean {
    return Boolean(this.#env.NOTIFY_SOCKET);
  }

  /** The watchdog interval systemd asks for, ms; 0 when none (or it is another process's). */
  get watchdogMs(): number {
    const usec = Number(this.#env.WATCHDOG_USEC ?? 0);
    const pid = this.#env.WATCHDOG_PID;
    if (!this.enabled || !Number.isFinite(usec) || usec <= 0) return 0;
    if (pid && Number(pid) !== (this.#o.pid ?? process.pid)) return 0;
    return Math.floor(usec / 1000);
  }

  /** Tells systemd the service is up, and starts the watchdog pings (half the interval). */
  async ready(status: string): Promise<void> {
    await this.#send(['READY=1', `STATUS=${status}`]);
    const ms = this.watchdogMs;
    if (ms > 0 && !this.#timer) {
      // From the event loop: a loop that hangs stops pinging, and systemd restarts us.
      this.#timer = setInterval(() => this.#ping(), Math.max(1, Math.floor(ms / 2)));
      this.#timer.unref();
      this.#o.log.info({ watchdogMs: ms }, 'systemd watchdog pings started');
    }
  }

  /** Tells systemd the service is stopping; stops the pings. */
  async stopping(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#send(['STOPPING=1']);
  }

  #ping(): void {
    if (this.#pinging) return; // the last one is still on its way: never a pile of processes
    this.#pinging = true;
    void this.#send(['WATCHDOG=1']).finally(() => {
      this.#pinging = false;
    });
  }

  #send(args: string[]): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    return new Promise((resolve) => {
      execFile(
        this.#o.command ?? 'systemd-notify',
        args,
        { env: this.#env, timeout: NOTIFY_TIMEOUT_MS },
        (err) => {
          // Not fatal: the gateway works without systemd knowing; the log says why.
          if (err && this.#failures++ < 5)
            this.#o.log.warn({ err: err.message, message: args[0] }, 'systemd-notify failed');
          resolve();
        },
      );
    });
  }
}
