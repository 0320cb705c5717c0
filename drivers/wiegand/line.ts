import { GatewayError } from '../../core/errors.js';
import { type ScanResult, scanError } from '../serial/splitter.js';
import {
  CR,
  ETX,
  LF,
  type LineFormat,
  MAX_DECIMAL_DIGITS,
  MAX_HEX_DIGITS,
  MAX_LINE_BYTES,
  STX,
} from './constants.js';

/** One line from a Wiegand-to-serial converter. */
export interface ConverterLine {
  format: LineFormat;
  /** The digits as sent (for stx-etx: the data hex, without the check). */
  digits: string;
  /** Their value. */
  value: number;
}

/** Encodes a value as the converter would send it (simulator, fixtures). */
export function encodeLine(format: LineFormat, value: number, hexDigits = 8): Buffer {
  if (format === 'decimal-crlf') return Buffer.from(`${value}\r\n`, 'ascii');
  const hex = value.toString(16).toUpperCase().padStart(hexDigits, '0');
  if (format === 'hex-cr') return Buffer.from(`${hex}\r`, 'ascii');
  const padded = hex.length % 2 ? `0${hex}` : hex;
  const check = xorHex(padded).toString(16).toUpperCase().padStart(2, '0');
  return Buffer.concat([Buffer.from([STX]), Buffer.from(padded + check, 'ascii'), Buffer.from([ETX])]);
}

/** Decodes exactly one complete line; throws FRAME_LENGTH / FRAME_UNKNOWN / FRAME_CHECKSUM. */
export function decodeLine(format: LineFormat, buf: Buffer): ConverterLine {
  const r = scanLine(format, buf, 0);
  if (r.kind === 'frame' && r.length === buf.length) return r.frame;
  if (r.kind === 'error') throw r.error;
  if (r.kind === 'need')
    throw new GatewayError('FRAME_LENGTH', 'line is not terminated', { have: buf.length });
  throw new GatewayError('FRAME_LENGTH', 'not exactly one line');
}

/**
 * The scanner of a converter format, for one parser. It remembers one thing: that it is
 * inside an overlong line, whose tail must not be taken for a line of its own.
 */
export function lineScanner(format: LineFormat): (buf: Buffer, at: number) => ScanResult<ConverterLine> {
  if (format === 'stx-etx') return scanStx;
  let overlong = false;
  return (buf, at) => {
    if (overlong) {
      let i = at;
      while (i < buf.length && buf[i] !== CR && buf[i] !== LF) i++;
      overlong = i === buf.length;
      return { kind: 'skip', length: Math.max(1, i - at) };
    }
    const r = scanTerminated(format, buf, at);
    if (r.kind === 'error' && r.error.code === 'FRAME_LENGTH' && r.consume === MAX_LINE_BYTES)
      overlong = true;
    return r;
  };
}

function scanLine(format: LineFormat, buf: Buffer, at: number): ScanResult<ConverterLine> {
  return format === 'stx-etx' ? scanStx(buf, at) : scanTerminated(format, buf, at);
}

/** ASCII digits ended by CR (hex-cr) or CR LF (decimal-crlf); a lone LF also ends a line. */
function scanTerminated(format: LineFormat, buf: Buffer, at: number): ScanResult<ConverterLine> {
  let i = at;
  const limit = Math.min(buf.length, at + MAX_LINE_BYTES);
  while (i < limit && buf[i] !== CR && buf[i] !== LF) i++;
  if (i === limit) {
    if (buf.length - at < MAX_LINE_BYTES) return { kind: 'need' };
    return err(
      'FRAME_LENGTH',
      'line longer than any converter sends',
      buf,
      at,
      MAX_LINE_BYTES,
      MAX_LINE_BYTES,
    );
  }
  if (i === at) return { kind: 'skip', length: 1 }; // an empty line, or the LF of a CR LF already used
  let end = i + 1;
  if (buf[i] === CR) {
    if (buf[i + 1] === LF) end++;
    else if (i + 1 === buf.length && format === 'decimal-crlf') return { kind: 'need' };
  }
  const text = buf.toString('latin1', at, i);
  const line = end - at;
  const hex = format === 'hex-cr';
  const max = hex ? MAX_HEX_DIGITS : MAX_DECIMAL_DIGITS;
  if (!(hex ? /^[0-9A-Fa-f]+$/ : /^\d+$/).test(text)) {
    return err('FRAME_UNKNOWN', `not a ${format} line`, buf, at, line, line);
  }
  if (text.length > max) return err('FRAME_LENGTH', `more than ${max} digits`, buf, at, line, line);
  return {
    kind: 'frame',
    length: line,
    frame: { format, digits: text, value: Number.parseInt(text, hex ? 16 : 10) },
  };
}

/** STX, ASCII hex data bytes, two ASCII hex digits of their XOR, ETX. */
function scanStx(buf: Buffer, at: number): ScanResult<ConverterLine> {
  if (buf[at] !== STX) {
    const next = buf.indexOf(STX, at + 1);
    return { kind: 'skip', length: (next < 0 ? buf.length : next) - at };
  }
  const etx = buf.indexOf(ETX, at + 1);
  if (etx < 0 || etx - at > MAX_LINE_BYTES) {
    if (etx < 0 && buf.length - at <= MAX_LINE_BYTES) return { kind: 'need' };
    return err('FRAME_LENGTH', 'no ETX where a converter would send it', buf, at, MAX_LINE_BYTES, 1);
  }
  const len = etx + 1 - at;
  const text = buf.toString('latin1', at + 1, etx);
  if (!/^(?:[0-9A-Fa-f]{2}){2,}$/.test(text))
    return err('FRAME_UNKNOWN', 'not hex bytes between STX and ETX', buf, at, len, 1);
  const data = text.slice(0, -2);
  if (data.length > MAX_HEX_DIGITS)
    return err('FRAME_LENGTH', `more than ${MAX_HEX_DIGITS} hex digits`, buf, at, len, 1);
  if (xorHex(data) !== Number.parseInt(text.slice(-2), 16))
    return err('FRAME_CHECKSUM', 'XOR check mismatch', buf, at, len, 1);
  return {
    kind: 'frame',
    length: len,
    frame: { format: 'stx-etx', digits: data.toUpperCase(), value: Number.parseInt(data, 16) },
  };
}

function xorHex(hex: string): number {
  let x = 0;
  for (let i = 0; i + 1 < hex.length; i += 2) x ^= Number.parseInt(hex.slice(i, i + 2), 16);
  return x;
}

function err(
  code: string,
  message: string,
  buf: Buffer,
  at: number,
  rawLen: number,
  consume: number,
): ScanResult<never> {
  return {
    kind: 'error',
    error: scanError(code, message),
    raw: buf.subarray(at, at + rawLen),
    consume,
  };
}
