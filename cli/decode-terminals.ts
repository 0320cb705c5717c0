import { readFile } from 'node:fs/promises';
import { maskIdNumber } from '../core/id-number.js';
import { describeDahuaCapture } from '../drivers/dahua/describe.js';
import { describeHikCapture } from '../drivers/hikvision-isapi/describe.js';
import { describeUplink } from '../drivers/mqtt-face/describe.js';
import { describeCdata } from '../drivers/zkteco-push/describe.js';
import { UsageError } from './args.js';

/** One printed line (as decode.ts's DecodedLine; not imported, so the two files make no cycle). */
type DecodedLine = Record<string, unknown>;

/**
 * The terminal protocols `decode` knows (issue 11), by their driver names: their input is a
 * captured body, stream or payload file, not hex. The HTTP terminals (Hikvision ISAPI, Dahua)
 * take a pushed body or an event stream; the face terminals a `cdata` upload (zkteco-push,
 * with `--table`) or an MQTT payload (mqtt-face, with `--topic`).
 */
export const TERMINAL_PROTOCOLS = ['hikvision-isapi', 'dahua', 'zkteco-push', 'mqtt-face'] as const;

/** Options of a terminal capture decode (each protocol reads the ones that concern it). */
export interface TerminalDecodeOptions {
  /** hikvision-isapi, dahua: the capture's Content-Type when the file does not say. */
  contentType?: string;
  /** hikvision-isapi, dahua: how card numbers print (hex or decimal). */
  cardFormat?: string;
  /** The terminal's zone in minutes east of UTC (all four; +480 by default). */
  utcOffsetMinutes?: string;
  /** The terminal's zone as +08:00 (all four; the same as utcOffsetMinutes, in the other form). */
  timeZone?: string;
  /** zkteco-push: the upload's table= (ATTLOG, rtlog, OPERLOG, ATTPHOTO). */
  table?: string;
  /** mqtt-face: the topic the payload came on. */
  topic?: string;
  unmasked?: boolean;
}

/** True when `protocol` is one of the terminals' (a capture file, not hex). */
export function isTerminalProtocol(protocol: string): boolean {
  return (TERMINAL_PROTOCOLS as readonly string[]).includes(protocol);
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

/** The zone in minutes east of UTC from --utc-offset-minutes or --time-zone; undefined when neither. */
function zoneMinutes(o: TerminalDecodeOptions): number | undefined {
  if (o.utcOffsetMinutes !== undefined && o.timeZone !== undefined)
    throw new UsageError('give --utc-offset-minutes or --time-zone, not both');
  if (o.timeZone !== undefined) {
    const m = /^([+-])(\d{2}):(\d{2})$/.exec(o.timeZone);
    if (!m) throw new UsageError('--time-zone must be like +08:00');
    return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  }
  if (o.utcOffsetMinutes === undefined) return undefined;
  const zone = Number(o.utcOffsetMinutes);
  if (!Number.isInteger(zone) || zone < -720 || zone > 840)
    throw new UsageError('--utc-offset-minutes must be an integer from -720 to 840');
  return zone;
}

/**
 * Checks a terminal decode's options before any input is read: a usage error says what is
 * missing (zkteco-push's --table, mqtt-face's --topic) or malformed.
 */
export function checkTerminalOptions(protocol: string, o: TerminalDecodeOptions): void {
  if (o.cardFormat !== undefined && o.cardFormat !== 'hex' && o.cardFormat !== 'decimal')
    throw new UsageError('--card-format must be hex or decimal');
  zoneMinutes(o);
  if (protocol === 'zkteco-push' && !o.table)
    throw new UsageError('zkteco-push needs --table ATTLOG|rtlog|OPERLOG|ATTPHOTO (the upload’s table=)');
  if (protocol === 'mqtt-face' && !o.topic)
    throw new UsageError(
      'mqtt-face needs --topic, e.g. mqtt/face/SN123/Rec (the last level says what it is)',
    );
}

/**
 * Decodes one captured payload of a face-terminal protocol: a `cdata` body (zkteco-push,
 * `--table`) or an MQTT payload with its topic (mqtt-face, `--topic`). Never throws on any
 * payload: what the driver would refuse comes out as an error line.
 */
export function decodeTerminal(protocol: string, payload: Buffer, o: TerminalDecodeOptions): DecodedLine[] {
  checkTerminalOptions(protocol, o);
  const z = (zoneMinutes(o) ?? 480) * 60_000;
  const lines =
    protocol === 'zkteco-push'
      ? describeCdata(o.table as string, payload, z)
      : describeUplink(o.topic as string, payload, z);
  return o.unmasked ? lines : lines.map(maskLine);
}

/**
 * Decodes one capture of any terminal protocol with its driver's own parser; never throws on
 * any bytes (options it cannot use are a usage error).
 */
export function decodeCapture(protocol: string, bytes: Buffer, o: TerminalDecodeOptions = {}): DecodedLine[] {
  if (protocol === 'zkteco-push' || protocol === 'mqtt-face') return decodeTerminal(protocol, bytes, o);
  checkTerminalOptions(protocol, o);
  const zone = zoneMinutes(o);
  const common = {
    ...(o.contentType ? { contentType: o.contentType } : {}),
    ...(o.cardFormat ? { cardFormat: o.cardFormat as 'hex' | 'decimal' } : {}),
    ...(zone !== undefined ? { utcOffsetMinutes: zone } : {}),
    unmasked: o.unmasked === true,
  };
  const lines =
    protocol === 'dahua' ? describeDahuaCapture(bytes, common) : describeHikCapture(bytes, common);
  return lines as unknown as DecodedLine[];
}

/** The capture's bytes: the files named (each decoded on its own), or stdin when there are none or `-`. */
export async function readCaptures(files: string[]): Promise<Array<{ name: string; bytes: Buffer }>> {
  const named = files.filter((f) => f !== '-');
  if (named.length > 0 && named.length === files.length)
    return Promise.all(named.map(async (f) => ({ name: f, bytes: await readFile(f) })));
  if (named.length > 0) throw new UsageError('read stdin (-) or files, not both');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return [{ name: '-', bytes: Buffer.concat(chunks) }];
}
