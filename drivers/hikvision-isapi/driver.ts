import type { DoorCommand, Driver } from '../../core/contracts.js';
import { TerminalSet } from '../http/terminal-set.js';
import { optionsCheck, ReaderOptions } from '../serial/options.js';
import type { DecodeResult, DriverContext } from '../types.js';
import { parseEventLog } from './event.js';
import { mapEvent } from './map.js';
import { hikOptions } from './options.js';
import { HikProvisioner, unknownReader } from './provisioner.js';
import { registerPushRoute } from './push.js';
import { HikTerminal } from './terminal.js';

/**
 * Hikvision MinMoe face terminals over ISAPI (protocols.md "Face terminals" §2, issue 11).
 *
 * Reader `options` (hikOptions): `host` (required), `port` 80, `events` stream|push,
 * `doorNo` 1, `cardFormat` decimal|hex, `utcOffsetMinutes` 480, `timeoutMs`, `probeSeconds`,
 * `maxPictureBytes`, `catchUpDays`, `pushAuth` address|digest, `writeGapMs`. The gateway's
 * login on each terminal is in the secrets file, `terminals.<reader id>`.
 *
 * Each terminal runs on its own (terminal.ts): a dead one delays nothing of another's.
 * Unlocks become a remote door open; the face library is the `provisioning` seam.
 */
export class HikvisionDriver implements Driver {
  readonly name = 'hikvision-isapi';
  readonly provisioning: HikProvisioner;
  readonly #set: TerminalSet<HikTerminal>;

  constructor(ctx: DriverContext) {
    this.#set = new TerminalSet(ctx, (reader, state) => {
      const options = hikOptions(new ReaderOptions(reader));
      const terminal = new HikTerminal({
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
    this.provisioning = new HikProvisioner(
      (id) => this.#terminal(id),
      () => this.#set.terminals.values(),
    );
    if (this.#set.push.size > 0) registerPushRoute(ctx.ingress, this.#set.push);
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

  #terminal(readerId: string): HikTerminal {
    const t = this.#set.terminals.get(readerId);
    if (!t) throw unknownReader(readerId);
    return t;
  }
}

/** Factory registered under 'hikvision-isapi'. */
export function createHikvisionDriver(ctx: DriverContext): HikvisionDriver {
  return new HikvisionDriver(ctx);
}
/** check-config: problems in a Hikvision reader's options. */
createHikvisionDriver.checkOptions = optionsCheck(hikOptions);
/** Replay: an `event_log` object from a file, read as a pushed one (times without a zone in China's). */
createHikvisionDriver.decodeEvent = (readerId: string, event: unknown, receivedAt: number): DecodeResult => {
  const p = parseEventLog(event, 480);
  if (!p.ok) return p;
  if (p.kind !== 'access')
    return { ok: false, reason: 'bad_field', detail: `a ${p.kind} event carries no credential` };
  const m = mapEvent(p.event, {
    readerId,
    receivedAt,
    cardFormat: 'decimal',
    offline: p.event.currentEvent === false,
  });
  if (m.kind === 'read') return { ok: true, read: m.read };
  if (m.kind === 'bad') return { ok: false, reason: m.reason, detail: m.detail };
  return {
    ok: false,
    reason: 'bad_field',
    detail: `event ${p.event.major}/${p.event.minor} carries no credential`,
  };
};
