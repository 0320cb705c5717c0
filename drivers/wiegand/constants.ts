/**
 * Wiegand 26/34 and the serial lines of Wiegand-to-serial converters (protocols.md
 * §Wiegand; bit layouts as in esphome `components/wiegand` and proxmark3
 * `wiegand_formats.c`; the STX…ETX line as the RDM6300 family sends it, esphome
 * `components/rdm6300`).
 */

/** Frame lengths supported. Bit 1 is sent first and is the most significant. */
export const WIEGAND_BITS = [26, 34] as const;
export type WiegandBits = (typeof WIEGAND_BITS)[number];
/** Data bits covered by each parity bit: half of the data bits each (12 of 24, 16 of 32). */
export const PARITY_SPAN: Readonly<Record<WiegandBits, number>> = { 26: 12, 34: 16 };
/** Facility code width: 8 bits in 26-bit frames, 16 in 34-bit frames; the card is 16 bits. */
export const FACILITY_BITS: Readonly<Record<WiegandBits, number>> = { 26: 8, 34: 16 };
export const CARD_BITS = 16;

/** Converter line formats: there is no common one, so each model's is named. */
export const LINE_FORMATS = ['hex-cr', 'decimal-crlf', 'stx-etx'] as const;
export type LineFormat = (typeof LINE_FORMATS)[number];

export const STX = 0x02;
export const ETX = 0x03;
export const CR = 0x0d;
export const LF = 0x0a;
/** Longest token accepted: 12 hex digits (48 bits) or 15 decimal digits fit a double exactly. */
export const MAX_HEX_DIGITS = 12;
export const MAX_DECIMAL_DIGITS = 15;
/** Longest line before giving up on it (token plus terminator, with slack for noise). */
export const MAX_LINE_BYTES = 32;
/** Most converters talk at 9600 8N1. */
export const DEFAULT_BAUD = 9600;
