import { FrameParser, type FrameParserOptions } from '../serial/parser.js';
import { INTER_FRAME_GAP_MS } from './constants.js';
import { type ModbusFrame, type ModbusRole, modbusScanner } from './frame.js';

/** Options of a Modbus parser. */
export interface ModbusParserOptions extends FrameParserOptions {
  /** Whose frames: 'reply' for the gateway (default), 'request' for a simulated board. */
  role?: ModbusRole;
  /** Only frames from these units are looked for (the boards on this bus). */
  units?: ReadonlySet<number>;
}

/**
 * Bytes → Modbus RTU frames (object mode). Finds frames by plausible unit + function
 * code, the length the function implies and the CRC; a silence (the inter-frame gap)
 * drops whatever is pending, as RTU's t3.5 rule does.
 */
export function createModbusParser(opts: ModbusParserOptions = {}): FrameParser<ModbusFrame> {
  return new FrameParser(modbusScanner(opts.role ?? 'reply', opts.units), {
    idleMs: INTER_FRAME_GAP_MS,
    idleDropsAll: true,
    ...opts,
  });
}
