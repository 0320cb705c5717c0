import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { DoorCommand, Driver, ReadSink } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import type { HttpIngress } from '../../core/ingress.js';
import type { Provisioner } from '../../core/provisioning.js';
import { ReaderOptions } from '../serial/options.js';
import type { DriverContext, DriverState, TerminalLogin } from '../types.js';
import type { PushAuthMode } from './push-auth.js';
import { type PushTargetOf, TerminalSet, type VendorTerminal } from './terminal-set.js';

/** What every vendor terminal (Hikvision, Dahua) is built from. */
export interface VendorTerminalDeps<O> {
  readerId: string;
  options: O;
  sink: ReadSink;
  log: Logger;
  clock: Clock;
  state: DriverState;
  login: () => TerminalLogin | undefined;
}

/** The vendor-specific parts of an HTTP terminal driver. */
export interface VendorDriverParts<T extends VendorTerminal, O, P extends Provisioner> {
  /** The driver's registered name, e.g. `hikvision-isapi`. */
  name: string;
  /** A reader's options, checked (throws a ConfigError on bad ones). */
  options(reader: ReaderOptions): O & { host: string; pushAuth: PushAuthMode };
  terminal(deps: VendorTerminalDeps<O>): T;
  /** The face-library seam, given a terminal by reader id (throws for an unknown one) and all of them. */
  provisioner(terminal: (readerId: string) => T, all: () => Iterable<T>): P;
  /** Routes the terminals' pushes on the gateway's terminal listener. */
  registerPush(ingress: HttpIngress, targets: ReadonlyMap<string, PushTargetOf<T>>): void;
}

/**
 * A driver of HTTP face terminals, one terminal per reader (TerminalSet): each runs on
 * its own, so a dead one delays nothing of another's. The vendor gives its terminal, its
 * options, its provisioner and its push route; everything else is the same for all.
 */
export class VendorHttpDriver<T extends VendorTerminal, O, P extends Provisioner> implements Driver {
  readonly name: string;
  readonly provisioning: P;
  readonly #set: TerminalSet<T>;

  constructor(ctx: DriverContext, parts: VendorDriverParts<T, O, P>) {
    this.name = parts.name;
    this.#set = new TerminalSet(ctx, (reader, state) => {
      const options = parts.options(new ReaderOptions(reader));
      const terminal = parts.terminal({
        readerId: reader.id,
        options,
        sink: ctx.sink,
        // The driver's logger already names the module and driver; every line names the reader.
        log: ctx.log,
        clock: ctx.clock,
        state,
        login: () => ctx.secrets?.terminalLogin(reader.id),
      });
      return { terminal, options };
    });
    this.provisioning = parts.provisioner(
      (id) => this.#terminal(id),
      () => this.#set.terminals.values(),
    );
    if (this.#set.push.size > 0) parts.registerPush(ctx.ingress, this.#set.push);
  }

  start(): Promise<void> {
    return this.#set.start();
  }

  stop(): Promise<void> {
    return this.#set.stop();
  }

  command(readerId: string, cmd: DoorCommand): void {
    this.#set.command(readerId, cmd);
  }

  stats(readerId: string): Readonly<Record<string, number>> {
    return this.#set.stats(readerId);
  }

  #terminal(readerId: string): T {
    const t = this.#set.terminals.get(readerId);
    if (!t) throw unknownReader(this.name, readerId);
    return t;
  }
}

/** The error for a reader id a vendor driver does not serve. */
export function unknownReader(driver: string, readerId: string): GatewayError {
  return new GatewayError('UNKNOWN_READER', `no ${driver} reader ${readerId}`);
}
