import type { DoorCommand } from '../../core/contracts.js';
import type { DriverContext, DriverState } from '../types.js';
import { MemoryDriverState } from './cursor.js';
import { PushAuth, type PushAuthMode } from './push-auth.js';

/** What a driver needs of one vendor terminal (Hikvision, Dahua): each runs on its own. */
export interface VendorTerminal {
  start(): void;
  stop(): Promise<void>;
  command(cmd: DoorCommand): void;
  stats(): Readonly<Record<string, number>>;
}

/** A terminal that may push to the gateway's listener, with how its pushes are admitted. */
export interface PushTargetOf<T> {
  terminal: T;
  auth: PushAuth;
}

type Reader = DriverContext['readers'][number];

/**
 * The terminals of one HTTP vendor driver, one per reader: built from the reader's options,
 * started and stopped together, commands and stats routed by reader. A terminal that is
 * dead or slow delays nothing of another's; a host name that does not resolve leaves its
 * `address` pushes refused, never the gateway down.
 */
export class TerminalSet<T extends VendorTerminal> {
  readonly #ctx: DriverContext;
  readonly terminals = new Map<string, T>();
  /** Every terminal may push (one set to push and streamed too is deduplicated by record id). */
  readonly push = new Map<string, PushTargetOf<T>>();

  constructor(
    ctx: DriverContext,
    make: (
      reader: Reader,
      state: DriverState,
    ) => { terminal: T; options: { host: string; pushAuth: PushAuthMode } },
  ) {
    this.#ctx = ctx;
    const state = ctx.state ?? new MemoryDriverState();
    if (!ctx.state) ctx.log.warn('no driver state: catch-up cursors are kept in memory only');
    for (const reader of ctx.readers) {
      const { terminal, options } = make(reader, state);
      this.terminals.set(reader.id, terminal);
      const auth = new PushAuth({
        readerId: reader.id,
        mode: options.pushAuth,
        host: options.host,
        password: () => ctx.secrets?.readerPassword(reader.id),
      });
      this.push.set(reader.id, { terminal, auth });
    }
  }

  async start(): Promise<void> {
    for (const [id, p] of this.push) {
      await p.auth
        .resolve()
        .catch((err: unknown) =>
          this.#ctx.log.warn(
            { reader: id, reason: (err as Error).message },
            'terminal host name does not resolve',
          ),
        );
    }
    for (const t of this.terminals.values()) t.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.terminals.values()].map((t) => t.stop()));
  }

  command(readerId: string, cmd: DoorCommand): void {
    const t = this.terminals.get(readerId);
    if (t) t.command(cmd);
    else this.#ctx.log.warn({ reader: readerId }, 'door command for a reader this driver does not serve');
  }

  stats(readerId: string): Readonly<Record<string, number>> {
    return this.terminals.get(readerId)?.stats() ?? {};
  }
}
