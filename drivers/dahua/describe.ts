import { type CaptureLine, describeMapped } from '../http/describe-read.js';
import { DEFAULT_UTC_OFFSET_MINUTES } from '../http/device-time.js';
import type { CardFormat } from '../http/mapped.js';
import { boundaryOf, MultipartParser } from '../http/multipart.js';
import { type DahuaAssembled, DahuaAssembler } from './assembler.js';
import { parseEventText, parseRecords } from './codec.js';
import { mapDahua, readEvent, recordEvent } from './event.js';

/** How a capture is read. */
export interface DahuaCaptureOptions {
  contentType?: string;
  cardFormat?: CardFormat;
  utcOffsetMinutes?: number;
  maxPictureBytes?: number;
  unmasked?: boolean;
  readerId?: string;
  /** A snapManager capture: each event's pictures are one part, cut by ImageInfo Offset/Length. Default: guessed. */
  snap?: boolean;
}

/**
 * `estate-gateway decode dahua FILE`: an attach or snap stream capture, a `/notification`
 * body, a recordFinder reply, or one event's text — each event as the driver would hand it
 * to the gateway, one JSON line each, with the driver's own parser, picture cutting and
 * tables. Never throws on any bytes.
 */
export function describeDahuaCapture(bytes: Buffer, o: DahuaCaptureOptions = {}): CaptureLine[] {
  const zone = o.utcOffsetMinutes ?? DEFAULT_UTC_OFFSET_MINUTES;
  // Lines in the order the capture gives them: errors where they occur, events where they end.
  const items: Array<CaptureLine | (DahuaAssembled & { offline?: boolean })> = [];
  const events = items as Array<DahuaAssembled & { offline?: boolean }>;
  const out = items as CaptureLine[];
  const text = bytes.subarray(0, 64).toString('latin1');
  const boundary = boundaryOf(o.contentType) ?? /^\s*--([^\r\n\s]{1,200})\r?\n/.exec(text)?.[1] ?? null;
  if (boundary !== null) {
    const assembler = new DahuaAssembler(
      zone,
      o.maxPictureBytes ?? 512 * 1024,
      {
        event: (e) => events.push(e),
        bad: (reason, detail) => out.push({ error: reason, reason: detail }),
        pictureDropped: (why) => out.push({ pictureDropped: why }),
        heartbeat: () => out.push({ heartbeat: true }),
      },
      o.snap ?? bytes.includes('Events[0].'),
    );
    const p = new MultipartParser(boundary, {
      maxPartBytes: Math.max(o.maxPictureBytes ?? 512 * 1024, 1024 * 1024) * 4,
    });
    for (const e of [...p.push(bytes), ...p.end()]) assembler.part(e);
    assembler.flush();
  } else if (/^\s*found=/.test(text)) {
    for (const rec of parseRecords(bytes.toString('utf8'))?.records ?? [])
      events.push({ parsed: recordEvent(rec, zone), offline: true });
  } else {
    const parsed = parseEventText(bytes.toString('utf8'));
    if (!parsed.ok) out.push({ error: parsed.reason, reason: parsed.detail });
    else if (parsed.kind === 'heartbeat') out.push({ heartbeat: true });
    else for (const raw of parsed.events) events.push({ parsed: readEvent(raw, zone, parsed.time) });
  }
  const lines: CaptureLine[] = [];
  for (const item of items) {
    if (!('parsed' in item)) {
      lines.push(item);
      continue;
    }
    const e = item as DahuaAssembled & { offline?: boolean };
    if (!e.parsed.ok) {
      lines.push({ error: e.parsed.reason, reason: e.parsed.detail });
      continue;
    }
    const m = mapDahua(e.parsed.event, {
      readerId: o.readerId ?? 'capture',
      receivedAt: Date.now(),
      cardFormat: o.cardFormat ?? 'hex',
      offline: e.offline === true,
      ...(e.image ? { image: e.image } : {}),
    });
    lines.push({
      ...describeMapped(m, o.unmasked === true),
      ...(e.parsed.event.recNo !== null ? { recNo: e.parsed.event.recNo } : {}),
    });
  }
  if (lines.length === 0) lines.push({ error: 'EMPTY', reason: 'no event in the capture' });
  return lines;
}
