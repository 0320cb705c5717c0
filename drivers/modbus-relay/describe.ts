import * as C from './constants.js';
import type { ModbusFrame } from './frame.js';

const FUNCTIONS: Readonly<Record<number, string>> = {
  [C.FN_READ_COILS]: 'read coils',
  [C.FN_READ_DISCRETE_INPUTS]: 'read discrete inputs',
  [C.FN_READ_HOLDING]: 'read holding registers',
  [C.FN_READ_INPUT]: 'read input registers',
  [C.FN_WRITE_COIL]: 'write single coil',
  [C.FN_WRITE_REGISTER]: 'write single register',
  [C.FN_WRITE_COILS]: 'write multiple coils',
  [C.FN_WRITE_REGISTERS]: 'write multiple registers',
};

const EXCEPTIONS: Readonly<Record<number, string>> = {
  [C.EX_ILLEGAL_FUNCTION]: 'illegal function',
  [C.EX_ILLEGAL_ADDRESS]: 'illegal data address',
  [C.EX_ILLEGAL_VALUE]: 'illegal data value',
  [C.EX_DEVICE_FAILURE]: 'server device failure',
};

/**
 * A Modbus RTU frame as plain JSON for `estate-gateway decode modbus`: unit, function,
 * and what the relay boards use spelled out (coil and value of write single coil, start
 * and count of reads, coil and input states and registers of their replies, exception codes). `role` says which
 * side sent it: a write-single-coil reply is an echo of its request.
 */
export function describeModbus(f: ModbusFrame, role: 'request' | 'reply'): Record<string, unknown> {
  const fn = f.fn & 0x7f;
  const out: Record<string, unknown> = {
    role,
    unit: f.unit,
    function: f.fn,
    functionName: FUNCTIONS[fn] ?? 'unknown',
  };
  const d = f.data;
  if (f.fn & C.EXCEPTION_BIT) {
    out.exception = d[0] ?? 0;
    out.meaning = EXCEPTIONS[d[0] ?? 0] ?? 'unknown exception';
    return out;
  }
  if (f.fn === C.FN_WRITE_COIL && d.length === 4) {
    const v = d.readUInt16BE(2);
    out.coil = d.readUInt16BE(0);
    out.value = v === C.COIL_ON ? 'on' : v === C.COIL_OFF ? 'off' : v;
  } else if (role === 'request' && f.fn >= 0x01 && f.fn <= 0x04 && d.length === 4) {
    out.start = d.readUInt16BE(0);
    out.count = d.readUInt16BE(2);
  } else if (
    role === 'reply' &&
    (f.fn === C.FN_READ_COILS || f.fn === C.FN_READ_DISCRETE_INPUTS) &&
    d.length >= 1
  ) {
    out.byteCount = d[0];
    const bits: boolean[] = [];
    for (let i = 0; i < (d.length - 1) * 8; i++) bits.push((((d[1 + (i >> 3)] ?? 0) >> (i & 7)) & 1) === 1);
    // Discrete inputs are what IO boards wire door contacts, exit buttons and fire relays to (issue 13).
    if (f.fn === C.FN_READ_COILS) out.coils = bits;
    else out.inputs = bits;
  } else if (role === 'reply' && f.fn === C.FN_READ_HOLDING && d.length >= 1 && (d.length - 1) % 2 === 0) {
    out.byteCount = d[0];
    out.registers = Array.from({ length: (d.length - 1) / 2 }, (_, i) => d.readUInt16BE(1 + i * 2));
  } else if (d.length > 0) {
    out.data = d.toString('hex');
  }
  return out;
}
