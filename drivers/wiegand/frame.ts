import { GatewayError } from '../../core/errors.js';
import { CARD_BITS, FACILITY_BITS, PARITY_SPAN, type WiegandBits } from './constants.js';

/** A decoded Wiegand frame. */
export interface WiegandFrame {
  bits: WiegandBits;
  facility: number;
  card: number;
  /** The data bits between the parities (24 or 32). */
  data: number;
  /** The data bits as upper-case hex, 6 or 8 digits: the card's UID in raw-UID mode. */
  uid: string;
}

const ones = (v: number): number => {
  let n = 0;
  for (let x = v >>> 0; x; x &= x - 1) n++;
  return n;
};

/**
 * Decodes a whole Wiegand frame (parity bits included) given as a number, bit 1 most
 * significant. Bit 1 is even parity over the first half of the data bits, the last bit
 * odd parity over the second half. Throws FRAME_LENGTH or FRAME_PARITY.
 */
export function decodeWiegand(value: number, bits: WiegandBits): WiegandFrame {
  if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** bits) {
    throw new GatewayError('FRAME_LENGTH', `value does not fit ${bits} bits`, { bits });
  }
  const dataBits = bits - 2;
  const span = PARITY_SPAN[bits];
  const even = Math.floor(value / 2 ** (bits - 1)) & 1;
  const odd = value % 2;
  const data = Math.floor(value / 2) % 2 ** dataBits;
  const high = Math.floor(data / 2 ** (dataBits - span));
  const low = data % 2 ** (dataBits - span);
  if ((ones(high) + even) % 2 !== 0)
    throw new GatewayError('FRAME_PARITY', 'even parity (bit 1) fails', { bits });
  if ((ones(low) + odd) % 2 !== 1)
    throw new GatewayError('FRAME_PARITY', `odd parity (bit ${bits}) fails`, { bits });
  const card = data % 2 ** CARD_BITS;
  const facility = Math.floor(data / 2 ** CARD_BITS) % 2 ** FACILITY_BITS[bits];
  return {
    bits,
    facility,
    card,
    data,
    uid: data
      .toString(16)
      .toUpperCase()
      .padStart(dataBits / 4, '0'),
  };
}

/** Builds a whole Wiegand frame from its data bits, computing both parities. */
export function encodeWiegand(data: number, bits: WiegandBits): number {
  const dataBits = bits - 2;
  if (!Number.isInteger(data) || data < 0 || data >= 2 ** dataBits) {
    throw new GatewayError('FRAME_LENGTH', `data does not fit ${dataBits} bits`, { bits });
  }
  const span = PARITY_SPAN[bits];
  const high = Math.floor(data / 2 ** (dataBits - span));
  const low = data % 2 ** (dataBits - span);
  const even = ones(high) % 2;
  const odd = (ones(low) + 1) % 2;
  return even * 2 ** (bits - 1) + data * 2 + odd;
}

/** Data bits from a facility code and a card number. */
export function fromFacilityCard(facility: number, card: number, bits: WiegandBits): number {
  if (facility >= 2 ** FACILITY_BITS[bits] || card >= 2 ** CARD_BITS) {
    throw new GatewayError('FRAME_LENGTH', 'facility or card too large', { bits });
  }
  return facility * 2 ** CARD_BITS + card;
}
