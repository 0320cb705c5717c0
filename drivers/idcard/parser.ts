import { FrameParser, type FrameParserOptions } from '../serial/parser.js';
import { type SamFrame, scanFrame } from './frame.js';

/** Default silence after which a half-received frame is given up, ms (a read is 1,295 bytes). */
export const IDCARD_IDLE_MS = 300;

/**
 * Bytes → SAM frames (object mode). Resynchronises on `AA AA AA 96 69`, caps the length
 * field, verifies the XOR; bad frames come out as error items, dropped bytes counted.
 */
export function createIdCardParser(opts: FrameParserOptions = {}): FrameParser<SamFrame> {
  return new FrameParser(scanFrame, { idleMs: IDCARD_IDLE_MS, ...opts });
}
