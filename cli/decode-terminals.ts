import { readFileSync } from 'node:fs';
import { maskIdNumber } from '../core/id-number.js';
import { describeUplink } from '../drivers/mqtt-face/describe.js';
import { describeCdata } from '../drivers/zkteco-push/describe.js';
import { UsageError } from './args.js';

/** One printed line (as decode.ts's DecodedLine; not imported, so the two files make no cycle). */
type DecodedLine = Record<string, unknown>;

/** The face-terminal protocols `decode` reads from a captured payload file (issue 11). */
export const TERMINAL_PROTOCOLS = ['zkteco-push', 'mqtt-face'] as const;

/** What `decode zkteco-push|mqtt-face` is told besides the payload. */
export interface TerminalDecodeOptions {
  /** zkteco-push: the upload's table= (ATTLOG, rtlog, OPERLOG, ATTPHOTO). */
  table?: string;
  /** mqtt-face: the topic the payload came on. */
  topic?: string;
  /** The terminal's zone, +08:00 by default. */
  timeZone?: string;
  unmasked?: boolean;
}

/** Masks what identifies a person (as for ID cards): card numbers, ID numbers, QR tokens. */
export function maskLine(l: DecodedLine): DecodedLine {
  const out = { ...l };
  const card = out.card as { uid?: string } | undefined;
  if (card?.uid) out.card = { uid: `****${card.uid.slice(-4)}` };
  const id = out.idcard as { number?: string } | undefined;
  if (id?.number) out.idcard = { ...id, number: maskIdNumber(id.number) };
  if (out.qrcode) out.qrcode = { token: '******' };
  return out;
}

function zone(tz: string | undefined): number {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(tz ?? '+08:00');
  if (!m) throw new UsageError('--time-zone must be like +08:00');
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
}

/**
 * Decodes one captured payload of a face-terminal protocol: a `cdata` body (zkteco-push,
 * `--table`) or an MQTT payload with its topic (mqtt-face, `--topic`). Never throws on any
 * payload: what the driver would refuse comes out as an error line.
 */
export function decodeTerminal(protocol: string, payload: Buffer, o: TerminalDecodeOptions): DecodedLine[] {
  const z = zone(o.timeZone);
  let lines: DecodedLine[];
  if (protocol === 'zkteco-push') {
    if (!o.table)
      throw new UsageError('zkteco-push needs --table ATTLOG|rtlog|OPERLOG|ATTPHOTO (the upload’s table=)');
    lines = describeCdata(o.table, payload, z);
  } else {
    if (!o.topic)
      throw new UsageError(
        'mqtt-face needs --topic, e.g. mqtt/face/SN123/Rec (the last level says what it is)',
      );
    lines = describeUplink(o.topic, payload, z);
  }
  return o.unmasked ? lines : lines.map(maskLine);
}

/** The payload: a file, or stdin when the file is `-` or missing. */
export async function readPayload(file: string | undefined): Promise<Buffer> {
  if (file && file !== '-') return readFileSync(file);
  if (process.stdin.isTTY) throw new UsageError('give a payload FILE, or pipe it in');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
