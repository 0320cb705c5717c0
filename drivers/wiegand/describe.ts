import { WIEGAND_BITS } from './constants.js';
import { decodeWiegand } from './frame.js';
import type { ConverterLine } from './line.js';

/**
 * A converter line as plain JSON for `estate-gateway decode wiegand`: the line's format,
 * digits and value, and the value read as a whole Wiegand 26 or 34 frame when it fits
 * and its parity bits check (facility, card, and the data bits as a raw UID). A value
 * that is no Wiegand frame is still a valid line: converters in `uid` mode send bare
 * card numbers.
 */
export function describeWiegandLine(line: ConverterLine): Record<string, unknown> {
  const out: Record<string, unknown> = { format: line.format, digits: line.digits, value: line.value };
  const fits = WIEGAND_BITS.filter((bits) => line.value < 2 ** bits);
  for (const bits of fits) {
    try {
      const w = decodeWiegand(line.value, bits);
      out.wiegand = { bits, facility: w.facility, card: w.card, uid: w.uid };
      return out;
    } catch {
      // Parity fails at this length: try the next.
    }
  }
  out.wiegand = null;
  out.note =
    fits.length > 0
      ? `parity fails as Wiegand ${fits.join(' and ')}: a bare card number?`
      : 'wider than 34 bits';
  return out;
}
