import { FrameParser, type FrameParserOptions } from '../serial/parser.js';
import { type Packet, scanPacket } from './frame.js';

/** Default silence after which a half-received packet is given up, ms. */
export const FINGERPRINT_IDLE_MS = 200;

/**
 * Bytes → fingerprint packets (object mode). Resynchronises on `EF 01`, caps the length
 * field, verifies the 16-bit sum; bad packets come out as error items, dropped bytes
 * are counted in `discarded` and announced with 'discard'.
 */
export function createFingerprintParser(opts: FrameParserOptions = {}): FrameParser<Packet> {
  return new FrameParser(scanPacket, { idleMs: FINGERPRINT_IDLE_MS, ...opts });
}
