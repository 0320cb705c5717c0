import { GatewayError } from '../../core/errors.js';
import { type ScanResult, scanError } from '../serial/splitter.js';
import {
  COIL_OFF,
  COIL_ON,
  CRC_INIT,
  CRC_POLY,
  EXCEPTION_BIT,
  FN_READ_COILS,
  FN_READ_DISCRETE_INPUTS,
  FN_READ_HOLDING,
  FN_WRITE_COIL,
  FN_WRITE_COILS,
  FN_WRITE_REGISTERS,
  MAX_FRAME_BYTES,
  MAX_UNIT,
} from './constants.js';

/** One RTU frame: unit address, function code, data (CRC verified and stripped). */
export interface ModbusFrame {
  unit: number;
  fn: number;
  data: Buffer;
}

/** Which side's frames a scanner reads: replies (the gateway) or requests (a board). */
export type ModbusRole = 'reply' | 'request';

const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ CRC_POLY : c >>> 1;
    t[i] = c;
  }
  return t;
})();

/** CRC-16/MODBUS of buf[from, to). */
export function crc16(buf: Buffer, from = 0, to = buf.length): number {
  let crc = CRC_INIT;
  for (let i = from; i < to; i++) crc = (crc >>> 8) ^ (CRC_TABLE[(crc ^ (buf[i] ?? 0)) & 0xff] ?? 0);
  return crc;
}

/** Encodes a frame, appending the CRC low byte first. */
export function encodeFrame(f: ModbusFrame): Buffer {
  const out = Buffer.alloc(f.data.length + 4);
  out[0] = f.unit;
  out[1] = f.fn;
  f.data.copy(out, 2);
  out.writeUInt16LE(crc16(out, 0, out.length - 2), out.length - 2);
  return out;
}

/** Write single coil (0x05): `01 05 00 00 FF 00 8C 3A` switches coil 0 of unit 1 on. */
export function encodeWriteCoil(unit: number, coil: number, on: boolean): Buffer {
  const data = Buffer.alloc(4);
  data.writeUInt16BE(coil, 0);
  data.writeUInt16BE(on ? COIL_ON : COIL_OFF, 2);
  return encodeFrame({ unit, fn: FN_WRITE_COIL, data });
}

/** A read request (0x01–0x04): start address, quantity. */
function encodeRead(unit: number, fn: number, start: number, count: number): Buffer {
  const data = Buffer.alloc(4);
  data.writeUInt16BE(start, 0);
  data.writeUInt16BE(count, 2);
  return encodeFrame({ unit, fn, data });
}

/** Read coils (0x01): start address, quantity. */
export function encodeReadCoils(unit: number, start: number, count: number): Buffer {
  return encodeRead(unit, FN_READ_COILS, start, count);
}

/** Read discrete inputs (0x02, §6.2): door contacts, exit buttons, fire inputs of IO boards. */
export function encodeReadDiscreteInputs(unit: number, start: number, count: number): Buffer {
  return encodeRead(unit, FN_READ_DISCRETE_INPUTS, start, count);
}

/** Read holding registers (0x03, §6.3): boards that report their inputs as bits of a register. */
export function encodeReadHolding(unit: number, start: number, count: number): Buffer {
  return encodeRead(unit, FN_READ_HOLDING, start, count);
}

/** Throws MODBUS_EXCEPTION when the frame is an exception reply. */
export function checkException(f: ModbusFrame): void {
  if (f.fn & EXCEPTION_BIT) {
    const code = f.data[0] ?? 0;
    throw new GatewayError(
      'MODBUS_EXCEPTION',
      `unit ${f.unit} refused function 0x${(f.fn & 0x7f).toString(16)}: exception ${code}`,
      {
        unit: f.unit,
        code,
      },
    );
  }
}

/** The coil states in a read-coils reply, LSB of the first byte first. */
export function parseCoils(f: ModbusFrame, count: number): boolean[] {
  return parseBits(f, FN_READ_COILS, count);
}

/** The bits of a read-coils (0x01) or read-discrete-inputs (0x02) reply, LSB of the first byte first (§6.1, §6.2). */
export function parseBits(f: ModbusFrame, fn: number, count: number): boolean[] {
  checkException(f);
  const n = f.data[0] ?? 0;
  if (f.fn !== fn || n !== f.data.length - 1 || n * 8 < count) {
    throw new GatewayError('FRAME_LENGTH', `reply to function 0x0${fn} does not hold the bits asked for`);
  }
  return Array.from({ length: count }, (_, i) => (((f.data[1 + (i >> 3)] ?? 0) >> (i & 7)) & 1) === 1);
}

/** The registers of a read-holding-registers reply (0x03, §6.3: big-endian words). */
export function parseRegisters(f: ModbusFrame, count: number): number[] {
  checkException(f);
  const n = f.data[0] ?? 0;
  if (f.fn !== FN_READ_HOLDING || n !== f.data.length - 1 || n !== count * 2) {
    throw new GatewayError(
      'FRAME_LENGTH',
      'read-holding-registers reply does not hold the registers asked for',
    );
  }
  return Array.from({ length: count }, (_, i) => f.data.readUInt16BE(1 + i * 2));
}

/** Decodes exactly one frame of the given side; throws FRAME_UNKNOWN/LENGTH/CHECKSUM. */
export function decodeFrame(buf: Buffer, role: ModbusRole = 'reply'): ModbusFrame {
  const r = modbusScanner(role)(buf, 0);
  if (r.kind === 'frame' && r.length === buf.length) return r.frame;
  if (r.kind === 'error') throw r.error;
  if (r.kind === 'skip')
    throw new GatewayError('FRAME_UNKNOWN', 'not a Modbus frame start (unit or function)');
  throw new GatewayError(
    'FRAME_LENGTH',
    r.kind === 'need' ? 'frame is incomplete' : 'bytes after the frame',
    {
      have: buf.length,
    },
  );
}

/**
 * A scanner for RTU frames, which have no start marker: a frame may begin at any byte
 * whose unit (in `units`, when given) and function code are plausible; its length
 * follows from the function code, and the CRC decides.
 */
export function modbusScanner(
  role: ModbusRole,
  units?: ReadonlySet<number>,
): (buf: Buffer, at: number) => ScanResult<ModbusFrame> {
  return (buf, at) => {
    const unit = buf[at] ?? 0;
    const unitOk = units
      ? units.has(unit)
      : role === 'request'
        ? unit <= MAX_UNIT
        : unit >= 1 && unit <= MAX_UNIT;
    if (!unitOk) return { kind: 'skip', length: 1 };
    if (buf.length - at < 2) return { kind: 'need' };
    const len = frameLength(role, buf, at);
    if (len === 0) return { kind: 'skip', length: 1 };
    if (len < 0) return { kind: 'need' };
    if (len > MAX_FRAME_BYTES) return { kind: 'skip', length: 1 };
    if (buf.length - at < len) return { kind: 'need' };
    const end = at + len;
    if (buf.readUInt16LE(end - 2) !== crc16(buf, at, end - 2)) {
      const error = scanError('FRAME_CHECKSUM', 'CRC-16/MODBUS mismatch');
      return { kind: 'error', error, raw: buf.subarray(at, end), consume: 1 };
    }
    return {
      kind: 'frame',
      length: len,
      frame: { unit, fn: buf[at + 1] ?? 0, data: Buffer.from(buf.subarray(at + 2, end - 2)) },
    };
  };
}

/** Whole frame length from its first bytes: 0 = no such frame, -1 = need more bytes. */
function frameLength(role: ModbusRole, buf: Buffer, at: number): number {
  const fn = buf[at + 1] ?? 0;
  const count = (off: number) => (buf.length - at > off ? (buf[at + off] ?? 0) : -1);
  if (role === 'reply') {
    if (fn & EXCEPTION_BIT) return (fn & 0x7f) >= 1 && (fn & 0x7f) <= 0x10 ? 5 : 0;
    if (fn >= 0x01 && fn <= 0x04) return count(2) < 0 ? -1 : 5 + count(2);
    return fn === 0x05 || fn === 0x06 || fn === FN_WRITE_COILS || fn === FN_WRITE_REGISTERS ? 8 : 0;
  }
  if (fn >= 0x01 && fn <= 0x06) return 8;
  if (fn === FN_WRITE_COILS || fn === FN_WRITE_REGISTERS) return count(6) < 0 ? -1 : 9 + count(6);
  return 0;
}
