import { idNumberProblem, maskIdNumber, maskName } from '../../core/id-number.js';
import * as C from './constants.js';
import type { SamFrame } from './frame.js';
import { decodeReadData, type IdCardRead } from './text.js';

const COMMANDS: ReadonlyArray<readonly [readonly [number, number], string]> = [
  [C.CMD_RESET_SAM, 'reset SAM'],
  [C.CMD_SAM_STATUS, 'SAM status'],
  [C.CMD_SAM_ID, 'SAM id'],
  [C.CMD_FIND, 'find card'],
  [C.CMD_SELECT, 'select card'],
  [C.CMD_READ, 'read text + photo'],
  [C.CMD_READ_WITH_FINGERPRINT, 'read text + photo + fingerprint'],
];

/** SW3 meanings (protocols.md). */
const STATUS: Readonly<Record<number, string>> = {
  [C.SW_OK]: 'ok',
  [C.SW_CARD_FOUND]: 'card found',
  [C.SW_NO_CARD]: 'no card',
  [C.SW_SELECT_FAILED]: 'select failed',
  [C.SW_READ_FAILED]: 'read failed',
  [C.SW_BAD_CHECKSUM]: 'bad checksum',
  [C.SW_BAD_LENGTH]: 'bad length',
  [C.SW_BAD_COMMAND]: 'bad command',
  [C.SW_UNAUTHORISED]: 'unauthorised',
  49: 'authentication error',
  50: 'verification error',
  51: 'verification error',
  [C.SW_UNKNOWN_CARD]: 'unknown card type',
  [C.SW_SELF_TEST_FAILED]: 'SAM self-test failed',
};

/** Read replies: text + photo (30 01), or with the fingerprint block too (30 10). */
const READ_DATA = 4 + C.TEXT_BYTES + C.PHOTO_BYTES;

/**
 * A SAM frame as plain JSON for `estate-gateway decode idcard`. Requests and replies are
 * told apart by their first bytes (replies start with SW1 SW2 = 00 00; every command is
 * non-zero). A read reply's text block is decoded with the field names of protocols.md;
 * unless `unmasked`, the name, ID number, birth date and address are masked (design.md
 * §9: pasted output travels in tickets and chats). Throws the text decoder's error for
 * bytes that are no resident ID card's text. A number that fails GB 11643 is shown with
 * `numberProblem`: the reader passes it on and the gateway records it as invalid_id_number.
 */
export function describeSam(f: SamFrame, unmasked = false): Record<string, unknown> {
  const b = f.body;
  const length = b.length + 1;
  if (b.length >= 3 && b[0] === 0 && b[1] === 0) {
    const sw3 = b[2] as number;
    const data = b.subarray(3);
    const out: Record<string, unknown> = {
      frame: 'reply',
      length,
      sw1: 0,
      sw2: 0,
      sw3,
      status: STATUS[sw3] ?? 'unknown status',
    };
    if (sw3 === C.SW_OK && data.length >= READ_DATA) {
      const card = decodeReadData(data, data.length > READ_DATA);
      out.card = unmasked ? card : masked(card);
      const problem = idNumberProblem(card.number);
      if (problem) out.numberProblem = problem;
    } else if (data.length > 0) out.data = data.toString('hex');
    return out;
  }
  const cmd = b[0] ?? 0;
  const param = b[1] ?? 0;
  const name = COMMANDS.find(([[c, p]]) => c === cmd && p === param)?.[1] ?? 'unknown command';
  const out: Record<string, unknown> = { frame: 'request', length, command: cmd, parameter: param, name };
  if (b.length > 2) out.data = b.subarray(2).toString('hex');
  return out;
}

function masked(c: IdCardRead): Record<string, unknown> {
  return {
    ...c,
    name: maskName(c.name),
    number: maskIdNumber(c.number),
    birth: `${c.birth.slice(0, 4)}-**-**`,
    address: `${[...c.address].slice(0, 6).join('')}…`,
  };
}
