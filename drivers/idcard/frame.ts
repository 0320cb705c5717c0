import { GatewayError } from '../../core/errors.js';
import { type ScanResult, scanError } from '../serial/splitter.js';
import { MAX_LENGTH_FIELD, MIN_LENGTH_FIELD, PREAMBLE, PREFIX_BYTES } from './constants.js';

/** One SAM frame's body: everything between the length and the check byte. */
export interface SamFrame {
  body: Buffer;
}
/** Host → SAM: command, parameter, data. */
export interface SamRequest {
  cmd: number;
  param: number;
  data: Buffer;
}
/** SAM → host: status words SW1 SW2 SW3, data. */
export interface SamReply {
  sw1: number;
  sw2: number;
  sw3: number;
  data: Buffer;
}

/** XOR of every byte from the first length byte to the last data byte (protocols.md). */
export function xorCheck(buf: Buffer, from: number, to: number): number {
  let x = 0;
  for (let i = from; i < to; i++) x ^= buf[i] ?? 0;
  return x;
}

/** Frames a body: preamble, length u16 BE (body + check), body, check. */
export function encodeFrame(body: Buffer): Buffer {
  const out = Buffer.alloc(PREFIX_BYTES + body.length + 1);
  PREAMBLE.copy(out, 0);
  out.writeUInt16BE(body.length + 1, 5);
  body.copy(out, PREFIX_BYTES);
  out[out.length - 1] = xorCheck(out, 5, out.length - 1);
  return out;
}

/** Encodes a host command, e.g. find card `20 01` → `AA AA AA 96 69 00 03 20 01 22`. */
export function encodeRequest(cmd: readonly [number, number], data: Buffer = Buffer.alloc(0)): Buffer {
  return encodeFrame(Buffer.concat([Buffer.from(cmd), data]));
}

/** Encodes a SAM reply (the simulator's side); SW1 SW2 are 00 00. */
export function encodeReply(sw3: number, data: Buffer = Buffer.alloc(0)): Buffer {
  return encodeFrame(Buffer.concat([Buffer.from([0, 0, sw3]), data]));
}

/** Reads a frame as a reply; throws FRAME_LENGTH when it has no status words. */
export function asReply(f: SamFrame): SamReply {
  if (f.body.length < 3) throw new GatewayError('FRAME_LENGTH', 'reply shorter than its status words');
  return { sw1: f.body[0] ?? 0, sw2: f.body[1] ?? 0, sw3: f.body[2] ?? 0, data: f.body.subarray(3) };
}

/** Reads a frame as a request; throws FRAME_LENGTH when it has no command and parameter. */
export function asRequest(f: SamFrame): SamRequest {
  if (f.body.length < 2) throw new GatewayError('FRAME_LENGTH', 'request shorter than its command');
  return { cmd: f.body[0] ?? 0, param: f.body[1] ?? 0, data: f.body.subarray(2) };
}

/** Decodes exactly one complete frame; throws FRAME_HEADER/LENGTH/CHECKSUM. */
export function decodeFrame(buf: Buffer): SamFrame {
  const r = scanFrame(buf, 0);
  if (r.kind === 'frame' && r.length === buf.length) return r.frame;
  if (r.kind === 'error') throw r.error;
  if (r.kind === 'frame') throw new GatewayError('FRAME_LENGTH', 'bytes after the end of the frame');
  if (r.kind === 'need') throw new GatewayError('FRAME_LENGTH', 'frame is incomplete', { have: buf.length });
  throw new GatewayError('FRAME_HEADER', 'frame does not start with AA AA AA 96 69');
}

/** The parser's scanner: resynchronises on the preamble, caps the length, checks the XOR. */
export function scanFrame(buf: Buffer, at: number): ScanResult<SamFrame> {
  const avail = buf.length - at;
  const n = Math.min(avail, PREAMBLE.length);
  for (let i = 0; i < n; i++) {
    if (buf[at + i] !== PREAMBLE[i]) {
      // Not a preamble here: skip to the next AA (a preamble may start inside this one).
      const next = buf.indexOf(0xaa, at + 1);
      return { kind: 'skip', length: (next < 0 ? buf.length : next) - at };
    }
  }
  if (avail < PREFIX_BYTES) return { kind: 'need' };
  const len = buf.readUInt16BE(at + 5);
  if (len < MIN_LENGTH_FIELD || len > MAX_LENGTH_FIELD) {
    const error = scanError('FRAME_LENGTH', 'length field out of range');
    return { kind: 'error', error, raw: buf.subarray(at, at + PREFIX_BYTES), consume: 1 };
  }
  const total = PREFIX_BYTES + len;
  if (avail < total) return { kind: 'need' };
  const end = at + total;
  if (buf[end - 1] !== xorCheck(buf, at + 5, end - 1)) {
    const error = scanError('FRAME_CHECKSUM', 'XOR check mismatch');
    return { kind: 'error', error, raw: buf.subarray(at, end), consume: 1 };
  }
  return {
    kind: 'frame',
    length: total,
    frame: { body: Buffer.from(buf.subarray(at + PREFIX_BYTES, end - 1)) },
  };
}
