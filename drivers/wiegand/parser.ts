import { FrameParser, type FrameParserOptions } from '../serial/parser.js';
import type { LineFormat } from './constants.js';
import { type ConverterLine, lineScanner } from './line.js';

/** A line still unterminated after this much silence is given up, ms. */
export const WIEGAND_IDLE_MS = 500;

/**
 * Bytes → converter lines (object mode) for one converter format. Line-based: resyncs
 * at each terminator (or STX), caps line length; bad lines come out as error items.
 */
export function createWiegandParser(
  format: LineFormat,
  opts: FrameParserOptions = {},
): FrameParser<ConverterLine> {
  // A converter sends a line in one burst: after a silence, whatever is pending is noise.
  return new FrameParser(lineScanner(format), { idleMs: WIEGAND_IDLE_MS, idleDropsAll: true, ...opts });
}
