import { VendorHttpDriver } from '../http/vendor-driver.js';
import { optionsCheck } from '../serial/options.js';
import type { DecodeResult, DriverContext } from '../types.js';
import { parseEventLog } from './event.js';
import { mapEvent } from './map.js';
import { type HikOptions, hikOptions } from './options.js';
import { HikProvisioner } from './provisioner.js';
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
export class HikvisionDriver extends VendorHttpDriver<HikTerminal, HikOptions, HikProvisioner> {
  constructor(ctx: DriverContext) {
    super(ctx, {
      name: 'hikvision-isapi',
      options: hikOptions,
      terminal: (deps) => new HikTerminal(deps),
      provisioner: (terminal, all) => new HikProvisioner(terminal, all),
      registerPush: registerPushRoute,
    });
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
