import type { DoorCommand, Driver } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import { TerminalSet } from '../http/terminal-set.js';
import { optionsCheck, ReaderOptions } from '../serial/options.js';
import type { DecodeResult, DriverContext } from '../types.js';
import { parseEventText } from './codec.js';
import { mapDahua, readEvent } from './event.js';
import { dahuaOptions } from './options.js';
import { DahuaProvisioner } from './provisioner.js';
import { registerDahuaPush } from './push.js';
import { DahuaTerminal } from './terminal.js';

/**
 * Dahua face access controllers over CGI (protocols.md "Face terminals" §3, issue 11).
 *
 * Reader `options` (dahuaOptions): `host` (required), `port` 80, `events` attach|snap|push,
 * `channel` 1, `cardFormat` hex|decimal, `utcOffsetMinutes` 480, `timeoutMs`,
 * `probeSeconds`, `maxPictureBytes`, `catchUpDays`, `pushAuth` address|digest,
 * `writeGapMs`. The gateway's login on each terminal: secrets file `terminals.<reader id>`.
 *
 * Each terminal runs on its own; an unlock is `openDoor`; the face library is the
 * `provisioning` seam (AccessUser/AccessCard/AccessFace).
 */
export class DahuaDriver implements Driver {
  readonly name = 'dahua';
  readonly provisioning: DahuaProvisioner;
  readonly #set: TerminalSet<DahuaTerminal>;

  constructor(ctx: DriverContext) {
    this.#set = new TerminalSet(ctx, (reader, state) => {
      const options = dahuaOptions(new ReaderOptions(reader));
      const terminal = new DahuaTerminal({
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
    this.provisioning = new DahuaProvisioner(
      (id) => this.#terminal(id),
      () => this.#set.terminals.values(),
    );
    if (this.#set.push.size > 0) registerDahuaPush(ctx.ingress, this.#set.push);
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

  #terminal(readerId: string): DahuaTerminal {
    const t = this.#set.terminals.get(readerId);
    if (!t) throw new GatewayError('UNKNOWN_READER', `no dahua reader ${readerId}`);
    return t;
  }
}

/** Factory registered under 'dahua'. */
export function createDahuaDriver(ctx: DriverContext): DahuaDriver {
  return new DahuaDriver(ctx);
}
/** check-config: problems in a Dahua reader's options. */
createDahuaDriver.checkOptions = optionsCheck(dahuaOptions);
/** Replay: an event `{Code, Action, Index, Data}` (or a push `info`) from a file, read as a pushed one. */
createDahuaDriver.decodeEvent = (readerId: string, event: unknown, receivedAt: number): DecodeResult => {
  const text = JSON.stringify(event);
  const parsed = parseEventText(text.includes('"Events"') ? text : `{"Events":[${text}]}`);
  if (!parsed.ok) return parsed;
  if (parsed.kind !== 'events' || parsed.events.length !== 1)
    return { ok: false, reason: 'bad_field', detail: 'one event per line' };
  const e = readEvent(parsed.events[0] as NonNullable<(typeof parsed.events)[0]>, 480, parsed.time);
  if (!e.ok) return e;
  const m = mapDahua(e.event, { readerId, receivedAt, cardFormat: 'hex', offline: false });
  if (m.kind === 'read') return { ok: true, read: m.read };
  if (m.kind === 'bad') return { ok: false, reason: m.reason, detail: m.detail };
  return { ok: false, reason: 'bad_field', detail: `${e.event.code} carries no credential` };
};
