import { GatewayError } from '../../core/errors.js';
import { type ScanResult, scanError } from '../serial/splitter.js';
import {
  HEADER,
  MAX_LENGTH_FIELD,
  PACKET_IDS,
  PACKET_SIZES,
  PID_ACK,
  PID_COMMAND,
  PID_DATA,
  PID_END_DATA,
  PREFIX_BYTES,
} from './constants.js';

/** One packet: `EF 01`, address u32, packet id, length u16, payload, sum u16 (all BE). */
export interface Packet {
  address: number;
  pid: number;
  payload: Buffer;
}

/** 16-bit sum of packet id, both length bytes and the payload (protocols.md). */
export function packetSum(buf: Buffer, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += buf[i] ?? 0;
  return sum & 0xffff;
}

/** Encodes a packet. */
export function encodePacket(p: Packet): Buffer {
  const out = Buffer.alloc(PREFIX_BYTES + p.payload.length + 2);
  out.writeUInt16BE(HEADER, 0);
  out.writeUInt32BE(p.address >>> 0, 2);
  out.writeUInt8(p.pid, 6);
  out.writeUInt16BE(p.payload.length + 2, 7);
  p.payload.copy(out, PREFIX_BYTES);
  out.writeUInt16BE(packetSum(out, 6, out.length - 2), out.length - 2);
  return out;
}

/** Encodes a command packet: instruction code then parameters. */
export function encodeCommand(address: number, ins: number, params: readonly number[] | Buffer = []): Buffer {
  return encodePacket({ address, pid: PID_COMMAND, payload: Buffer.from([ins, ...params]) });
}

/** Encodes an ack packet: confirmation code then results (the simulator's side). */
export function encodeAck(address: number, code: number, results: Buffer = Buffer.alloc(0)): Buffer {
  return encodePacket({ address, pid: PID_ACK, payload: Buffer.concat([Buffer.from([code]), results]) });
}

/** Splits a template into data packets of `packetSize` bytes, the last one marked 0x08. */
export function encodeDataPackets(address: number, data: Buffer, packetSize: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += packetSize) {
    const last = at + packetSize >= data.length;
    out.push(
      encodePacket({
        address,
        pid: last ? PID_END_DATA : PID_DATA,
        payload: data.subarray(at, at + packetSize),
      }),
    );
  }
  return out;
}

/** Decodes exactly one complete packet; throws FRAME_HEADER/LENGTH/UNKNOWN/CHECKSUM. */
export function decodePacket(buf: Buffer): Packet {
  const r = scanPacket(buf, 0);
  if (r.kind === 'frame' && r.length === buf.length) return r.frame;
  if (r.kind === 'error') throw r.error;
  if (r.kind === 'frame') {
    throw new GatewayError('FRAME_LENGTH', 'bytes after the end of the packet', {
      extra: buf.length - r.length,
    });
  }
  if (r.kind === 'need') throw new GatewayError('FRAME_LENGTH', 'packet is incomplete', { have: buf.length });
  throw new GatewayError('FRAME_HEADER', 'packet does not start with EF 01');
}

/** The parser's scanner: resynchronises on `EF 01`, checks id, length cap and sum. */
export function scanPacket(buf: Buffer, at: number): ScanResult<Packet> {
  if (buf[at] !== HEADER >> 8) {
    const next = buf.indexOf(HEADER >> 8, at + 1);
    return { kind: 'skip', length: (next < 0 ? buf.length : next) - at };
  }
  if (buf.length - at < 2) return { kind: 'need' };
  if (buf[at + 1] !== (HEADER & 0xff)) return { kind: 'skip', length: 1 };
  if (buf.length - at < PREFIX_BYTES) return { kind: 'need' };
  const pid = buf[at + 6] ?? 0;
  const lengthField = buf.readUInt16BE(at + 7);
  if (!(PACKET_IDS as readonly number[]).includes(pid)) {
    return bad('FRAME_UNKNOWN', 'unknown packet id', buf, at, PREFIX_BYTES);
  }
  if (lengthField < 2 || lengthField > MAX_LENGTH_FIELD) {
    return bad('FRAME_LENGTH', 'length field out of range', buf, at, PREFIX_BYTES);
  }
  const total = PREFIX_BYTES + lengthField;
  if (buf.length - at < total) return { kind: 'need' };
  const end = at + total;
  const sum = buf.readUInt16BE(end - 2);
  if (sum !== packetSum(buf, at + 6, end - 2))
    return bad('FRAME_CHECKSUM', 'packet sum mismatch', buf, at, total);
  const payload = Buffer.from(buf.subarray(at + PREFIX_BYTES, end - 2));
  return { kind: 'frame', length: total, frame: { address: buf.readUInt32BE(at + 2), pid, payload } };
}

/** A bad packet is reported whole but only its first byte is dropped: a real one may follow inside. */
function bad(code: string, message: string, buf: Buffer, at: number, len: number): ScanResult<Packet> {
  return {
    kind: 'error',
    error: scanError(code, message),
    raw: buf.subarray(at, at + len),
    consume: 1,
  };
}

/** Payload size for a ReadSysPara packet size code, 128 when the code is unknown. */
export function packetSizeFor(code: number): number {
  return PACKET_SIZES[code] ?? 128;
}

/** True for the ack packets the driver waits on. */
export function isAck(p: Packet): boolean {
  return p.pid === PID_ACK && p.payload.length >= 1;
}
