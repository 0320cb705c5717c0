import type { DoorCommand, Driver } from '../../core/contracts.js';
import { MemoryDriverState } from '../http/cursor.js';
import { PushAuth } from '../http/push-auth.js';
import { optionsCheck, ReaderOptions } from '../serial/options.js';
import type { DecodeResult, DriverContext } from '../types.js';
import { parseEventLog } from './event.js';
import { mapEvent } from './map.js';
import { hikOptions } from './options.js';
import { HikProvisioner, unknownReader } from './provisioner.js';
import { type PushTarget, registerPushRoute } from './push.js';
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
  readonly #ctx: DriverContext;
  readonly #terminals = new Map<string, HikTerminal>();
  readonly #push = new Map<string, PushTarget>();

  constructor(ctx: DriverContext) {
    this.#ctx = ctx;
    const state = ctx.state ?? new MemoryDriverState();
    if (!ctx.state) ctx.log.warn('no driver state: catch-up cursors are kept in memory only');
    for (const reader of ctx.readers) {
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
      this.#terminals.set(reader.id, terminal);
      const auth = new PushAuth({
        readerId: reader.id,
        mode: options.pushAuth,
        host: options.host,
        password: () => ctx.secrets?.readerPassword(reader.id),
      });
      this.#push.set(reader.id, { terminal, auth });
    }
    this.provisioning = new HikProvisioner(
      (id) => this.#terminal(id),
      () => this.#terminals.values(),
    );
    // Every terminal may push (a terminal set to push and streamed too is deduplicated by record id).
    if (this.#push.size > 0) registerPushRoute(ctx.ingress, this.#push);
  }

  async start(): Promise<void> {
    for (const [id, p] of this.#push) {
      // A host name that does not resolve leaves `address` pushes refused, never the gateway down.
      await p.auth
        .resolve()
        .catch((err: unknown) =>
          this.#ctx.log.warn(
            { reader: id, reason: (err as Error).message },
            'terminal host name does not resolve',
          ),
        );
    }
    for (const t of this.#terminals.values()) t.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#terminals.values()].map((t) => t.stop()));
  }

  command(readerId: string, cmd: DoorCommand): void {
    const t = this.#terminals.get(readerId);
    if (t) t.command(cmd);
    else this.#ctx.log.warn({ reader: readerId }, 'door command for a reader this driver does not serve');
  }

  stats(readerId: string): Readonly<Record<string, number>> {
    return this.#terminals.get(readerId)?.stats() ?? {};
  }

  #terminal(readerId: string): HikTerminal {
    const t = this.#terminals.get(readerId);
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
