import { type CaptureLine, describeMapped } from '../http/describe-read.js';
import { DEFAULT_UTC_OFFSET_MINUTES } from '../http/device-time.js';
import type { CardFormat } from '../http/mapped.js';
import { boundaryOf, MultipartParser } from '../http/multipart.js';
import { type AssembledEvent, HikAssembler } from './assembler.js';
import { HIK_BOUNDARY } from './constants.js';
import { parseEventText } from './event.js';
import { mapEvent } from './map.js';

/** How a capture is read. */
export interface HikCaptureOptions {
  /** The Content-Type of the capture (its boundary); guessed from the first delimiter when absent. */
  contentType?: string;
  cardFormat?: CardFormat;
  utcOffsetMinutes?: number;
  maxPictureBytes?: number;
  unmasked?: boolean;
  /** The reader id shown on reads. Default `capture`. */
  readerId?: string;
}

/**
 * `estate-gateway decode hikvision-isapi FILE`: a pushed body (multipart `event_log` +
 * picture), an alertStream capture, or one event's JSON/XML — each event as the driver would
 * hand it to the gateway (a read, a door signal, a named note, an unknown code) or as the
 * error it would count, one JSON line each. Runs the driver's own parser, assembler and
 * mapping; never throws on any bytes.
 */
export function describeHikCapture(bytes: Buffer, o: HikCaptureOptions = {}): CaptureLine[] {
  const zone = o.utcOffsetMinutes ?? DEFAULT_UTC_OFFSET_MINUTES;
  const maxPicture = o.maxPictureBytes ?? 512 * 1024;
  const out: CaptureLine[] = [];
  const events: AssembledEvent[] = [];
  const boundary = boundaryOf(o.contentType) ?? firstBoundary(bytes);
  if (boundary === null) {
    events.push({ parsed: parseEventText(bytes.toString('utf8'), zone) });
  } else {
    const assembler = new HikAssembler(zone, maxPicture, {
      event: (e) => events.push(e),
      bad: (reason, detail) => events.push({ parsed: { ok: false, reason, detail } }),
      pictureDropped: (why) => out.push({ pictureDropped: why }),
    });
    const p = new MultipartParser(boundary, { maxPartBytes: maxPicture });
    for (const e of [...p.push(bytes), ...p.end()]) assembler.part(e);
    assembler.flush();
  }
  for (const e of events) {
    const p = e.parsed;
    if (!p.ok) out.push({ error: p.reason, reason: p.detail });
    else if (p.kind === 'heartbeat') out.push({ heartbeat: true });
    else if (p.kind === 'other') out.push({ note: `event ${p.eventType}` });
    else
      out.push(
        describeMapped(
          mapEvent(p.event, {
            readerId: o.readerId ?? 'capture',
            receivedAt: Date.now(),
            cardFormat: o.cardFormat ?? 'decimal',
            offline: p.event.currentEvent === false,
            ...(e.image ? { image: e.image } : {}),
          }),
          o.unmasked === true,
        ),
      );
  }
  if (out.length === 0) out.push({ error: 'EMPTY', reason: 'no event in the capture' });
  return out;
}

/** The boundary of a capture that starts with its first delimiter line (`--MIME_boundary`). */
export function firstBoundary(bytes: Buffer): string | null {
  const head = bytes.subarray(0, 300).toString('latin1');
  const m = /^\s*--([^\r\n\s]{1,200})\r?\n/.exec(head);
  if (m) return m[1] as string;
  return head.includes(`--${HIK_BOUNDARY}`) ? HIK_BOUNDARY : null;
}
