import { describePacket } from '../drivers/fingerprint/describe.js';
import { scanPacket } from '../drivers/fingerprint/frame.js';
import { describeSam } from '../drivers/idcard/describe.js';
import { scanFrame } from '../drivers/idcard/frame.js';
import { describeModbus } from '../drivers/modbus-relay/describe.js';
import { type ModbusRole, modbusScanner } from '../drivers/modbus-relay/frame.js';
import { fromHex, toHex } from '../drivers/serial/options.js';
import type { Scanner } from '../drivers/serial/splitter.js';
import { LINE_FORMATS, type LineFormat } from '../drivers/wiegand/constants.js';
import { describeWiegandLine } from '../drivers/wiegand/describe.js';
import { lineScanner } from '../drivers/wiegand/line.js';
import { parse, UsageError } from './args.js';
import { decodeCapture, isTerminalProtocol, readCaptures, TERMINAL_PROTOCOLS } from './decode-terminals.js';
import { DECODE_HELP } from './help.js';

/** One line of output: a decoded frame, or `{ error, reason, bytes }`. */
export type DecodedLine = Record<string, unknown>;

interface Options {
  format?: string;
  role?: string;
  unmasked?: boolean;
}

/** A protocol's scanner and describer, typed loosely so that the four share one loop. */
interface Decoder {
  scan: Scanner<unknown>;
  describe: (frame: unknown) => DecodedLine;
  /** Most bytes of a bad frame echoed back (ID-card frames carry personal data). */
  hexLimit: number;
}

/** The serial protocols `decode` knows as hex, as typed on the command line (terminal captures: TERMINAL_PROTOCOLS). */
export const PROTOCOLS = ['fingerprint', 'idcard', 'wiegand', 'modbus'] as const;

/** The Wiegand line format: the one asked for, else guessed from the terminators. */
function wiegandFormat(bytes: Buffer, asked: string | undefined): LineFormat {
  if (asked !== undefined) {
    const f = LINE_FORMATS.find((x) => x === asked);
    if (!f) throw new UsageError(`--format must be one of ${LINE_FORMATS.join(', ')}`);
    return f;
  }
  if (bytes.includes(0x02)) return 'stx-etx';
  return bytes.includes(Buffer.from('\r\n')) ? 'decimal-crlf' : 'hex-cr';
}

function decoders(protocol: string, bytes: Buffer, o: Options): Decoder[] {
  switch (protocol) {
    case 'fingerprint':
      return [{ scan: scanPacket, describe: (f) => describePacket(f as never), hexLimit: 64 }];
    case 'idcard':
      return [{ scan: scanFrame, describe: (f) => describeSam(f as never, o.unmasked), hexLimit: 16 }];
    case 'wiegand': {
      const format = wiegandFormat(bytes, o.format);
      return [{ scan: lineScanner(format), describe: (f) => describeWiegandLine(f as never), hexLimit: 64 }];
    }
    case 'modbus': {
      if (o.role !== undefined && o.role !== 'request' && o.role !== 'reply')
        throw new UsageError('--role must be request or reply');
      const roles: ModbusRole[] = o.role ? [o.role as ModbusRole] : ['request', 'reply'];
      return roles.map((role) => ({
        scan: modbusScanner(role),
        describe: (f) => describeModbus(f as never, role),
        hexLimit: 64,
      }));
    }
    default:
      throw new UsageError(
        `unknown protocol "${protocol}" (one of ${[...PROTOCOLS, ...TERMINAL_PROTOCOLS].join(', ')})`,
      );
  }
}

/**
 * Decodes a complete capture: every frame in it, in order, as one line each; a bad frame,
 * a truncated tail or bytes that start no frame as an error line. Never throws on any
 * input bytes: whatever a describer throws becomes an error line too.
 */
function run(bytes: Buffer, d: Decoder): DecodedLine[] {
  const out: DecodedLine[] = [];
  const bad = (error: string, reason: string, raw: Buffer): DecodedLine => ({
    error,
    reason,
    bytes: toHex(raw, d.hexLimit),
  });
  let at = 0;
  let garbage = -1;
  /** Bytes up to here belong to a bad frame already reported. */
  let covered = 0;
  const flush = (to: number) => {
    if (garbage < 0) return;
    out.push(bad('NO_FRAME', `${to - garbage} byte(s) that start no frame`, bytes.subarray(garbage, to)));
    garbage = -1;
  };
  while (at < bytes.length) {
    const r = d.scan(bytes, at);
    if (r.kind === 'frame') {
      flush(at);
      const raw = bytes.subarray(at, at + r.length);
      try {
        out.push(d.describe(r.frame));
      } catch (err) {
        const e = err as { code?: unknown; message?: unknown };
        out.push(bad(String(e.code ?? 'DECODE_FAILED'), String(e.message ?? err), raw));
      }
      at += r.length;
    } else if (r.kind === 'need' && at < covered) {
      at += 1; // inside a bad frame already reported: not a frame of its own
    } else if (r.kind === 'need') {
      flush(at);
      out.push(bad('FRAME_TRUNCATED', 'the bytes end inside a frame', bytes.subarray(at)));
      break;
    } else if (r.kind === 'error') {
      flush(at);
      out.push(bad(r.error.code, r.error.message, r.raw));
      covered = Math.max(covered, at + r.raw.length);
      at += Math.max(1, r.consume);
    } else {
      const end = at + Math.max(1, r.length);
      if (end > covered && garbage < 0) garbage = Math.max(at, covered);
      at = end;
    }
  }
  flush(bytes.length);
  return out;
}

/**
 * Decodes hex text as frames of a protocol. With several candidate decoders (Modbus
 * requests and replies look alike), keeps the reading with the most frames, then the
 * fewest errors.
 */
export function decodeHex(protocol: string, hex: string, o: Options = {}): DecodedLine[] {
  let bytes: Buffer;
  try {
    bytes = fromHex(hex);
  } catch (err) {
    return [{ error: 'BAD_HEX', reason: (err as Error).message }];
  }
  if (bytes.length === 0) return [{ error: 'EMPTY', reason: 'no bytes to decode' }];
  const runs = decoders(protocol, bytes, o).map((d) => run(bytes, d));
  const score = (lines: DecodedLine[]) => lines.filter((l) => !('error' in l)).length * 1000 - lines.length;
  return runs.reduce((best, r) => (score(r) > score(best) ? r : best));
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `estate-gateway decode PROTOCOL HEX…`. Returns the exit code: 0 all frames valid, 1 otherwise. */
export async function decodeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      format: { type: 'string' },
      role: { type: 'string' },
      unmasked: { type: 'boolean' },
      'content-type': { type: 'string' },
      'card-format': { type: 'string' },
      'utc-offset-minutes': { type: 'string' },
    },
    true,
  );
  if (values.help) {
    console.log(DECODE_HELP);
    return 0;
  }
  const [protocol, ...hex] = positionals;
  if (!protocol) throw new UsageError('decode needs a protocol and hex bytes');
  if (isTerminalProtocol(protocol)) {
    // Terminal captures are files (a pushed body, a stream), not hex.
    if (hex.length === 0 && process.stdin.isTTY) throw new UsageError('give a capture FILE, or pipe one in');
    let failed = false;
    for (const c of await readCaptures(hex)) {
      const lines = decodeCapture(protocol, c.bytes, {
        contentType: values['content-type'],
        unmasked: values.unmasked,
        cardFormat: values['card-format'],
        utcOffsetMinutes: values['utc-offset-minutes'],
      });
      for (const line of lines)
        console.log(JSON.stringify(hex.length > 1 ? { file: c.name, ...line } : line));
      failed ||= lines.some((l) => 'error' in l);
    }
    return failed ? 1 : 0;
  }
  if (hex.length === 0 && process.stdin.isTTY) throw new UsageError('give HEX bytes, or pipe them in');
  const text = hex.length > 0 ? hex.join(' ') : await readStdin();
  const lines = decodeHex(protocol, text, values);
  for (const line of lines) console.log(JSON.stringify(line));
  return lines.some((l) => 'error' in l) ? 1 : 0;
}
