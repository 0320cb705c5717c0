import { VendorHttpDriver } from '../http/vendor-driver.js';
import { optionsCheck } from '../serial/options.js';
import type { DecodeResult, DriverContext } from '../types.js';
import { parseEventText } from './codec.js';
import { mapDahua, readEvent } from './event.js';
import { type DahuaOptions, dahuaOptions } from './options.js';
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
export class DahuaDriver extends VendorHttpDriver<DahuaTerminal, DahuaOptions, DahuaProvisioner> {
  constructor(ctx: DriverContext) {
    super(ctx, {
      name: 'dahua',
      options: dahuaOptions,
      terminal: (deps) => new DahuaTerminal(deps),
      provisioner: (terminal, all) => new DahuaProvisioner(terminal, all),
      registerPush: registerDahuaPush,
    });
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
