import * as C from './constants.js';
import type { Packet } from './frame.js';

/** Instruction names as protocols.md spells them. */
const INSTRUCTIONS: Readonly<Record<number, string>> = {
  [C.INS_GEN_IMG]: 'GenImg',
  [C.INS_IMG2TZ]: 'Img2Tz',
  [C.INS_MATCH]: 'Match',
  [C.INS_SEARCH]: 'Search',
  [C.INS_REG_MODEL]: 'RegModel',
  [C.INS_STORE]: 'Store',
  [C.INS_LOAD_CHAR]: 'LoadChar',
  [C.INS_UP_CHAR]: 'UpChar',
  [C.INS_DOWN_CHAR]: 'DownChar',
  [C.INS_DELETE_CHAR]: 'DeleteChar',
  [C.INS_EMPTY]: 'Empty',
  [C.INS_READ_SYS_PARA]: 'ReadSysPara',
  [C.INS_VFY_PWD]: 'VfyPwd',
  [C.INS_HI_SPEED_SEARCH]: 'HiSpeedSearch',
  [C.INS_TEMPLATE_NUM]: 'TemplateNum',
  [C.INS_READ_INDEX_TABLE]: 'ReadIndexTable',
};

/** Confirmation codes (protocols.md). */
const CONFIRMATIONS: Readonly<Record<number, string>> = {
  [C.CC_OK]: 'ok',
  [C.CC_RECEIVE_ERROR]: 'receive error',
  [C.CC_NO_FINGER]: 'no finger',
  [C.CC_IMAGING_FAILED]: 'imaging failed',
  [C.CC_IMAGE_MESSY]: 'poor image',
  [C.CC_FEW_FEATURES]: 'poor image',
  [C.CC_NO_MATCH]: 'no match',
  [C.CC_NOT_FOUND]: 'not found',
  [C.CC_ENROLL_MISMATCH]: 'enroll mismatch',
  [C.CC_BAD_PAGE]: 'bad page',
  [C.CC_BAD_TEMPLATE]: 'bad template',
  [C.CC_UPLOAD_FAILED]: 'upload failed',
  [C.CC_PACKET_REFUSED]: 'packet refused',
  [C.CC_DELETE_FAILED]: 'delete failed',
  [C.CC_EMPTY_FAILED]: 'empty failed',
  [C.CC_WRONG_PASSWORD]: 'wrong password',
  [C.CC_FLASH_ERROR]: 'flash error',
  [C.CC_PASSWORD_REQUIRED]: 'password required',
};

const PACKET_TYPES: Readonly<Record<number, string>> = {
  [C.PID_COMMAND]: 'command',
  [C.PID_DATA]: 'data',
  [C.PID_ACK]: 'ack',
  [C.PID_END_DATA]: 'end of data',
};

/** Parameters of the commands whose layout protocols.md gives, named as there; undefined if short. */
function params(ins: number, p: Buffer): Record<string, number> | undefined {
  const has = (n: number) => p.length >= n;
  switch (ins) {
    case C.INS_VFY_PWD:
      return has(4) ? { password: p.readUInt32BE(0) } : undefined;
    case C.INS_IMG2TZ:
    case C.INS_UP_CHAR:
    case C.INS_DOWN_CHAR:
      return has(1) ? { buffer: p[0] as number } : undefined;
    case C.INS_SEARCH:
    case C.INS_HI_SPEED_SEARCH:
      return has(5)
        ? { buffer: p[0] as number, start: p.readUInt16BE(1), count: p.readUInt16BE(3) }
        : undefined;
    case C.INS_STORE:
    case C.INS_LOAD_CHAR:
      return has(3) ? { buffer: p[0] as number, page: p.readUInt16BE(1) } : undefined;
    case C.INS_DELETE_CHAR:
      return has(4) ? { page: p.readUInt16BE(0), count: p.readUInt16BE(2) } : undefined;
    case C.INS_READ_INDEX_TABLE:
      return has(1) ? { index: p[0] as number } : undefined;
    default:
      return undefined;
  }
}

/**
 * An R30x/AS608 packet as plain JSON for `estate-gateway decode fingerprint`: the fields
 * of protocols.md, numbers as numbers, instruction and confirmation names spelled out.
 * An ack does not say what it answers: results whose size fits one reply (ReadSysPara's
 * 16 bytes, Search's page + score) are decoded under that reply's name too.
 */
export function describePacket(p: Packet): Record<string, unknown> {
  const out: Record<string, unknown> = {
    address: p.address,
    packetId: p.pid,
    packetType: PACKET_TYPES[p.pid] ?? 'unknown',
    length: p.payload.length + 2,
  };
  const code = p.payload[0];
  const rest = p.payload.subarray(1);
  if (p.pid === C.PID_COMMAND && code !== undefined) {
    out.instruction = code;
    out.instructionName = INSTRUCTIONS[code] ?? 'unknown';
    const ps = params(code, rest);
    if (ps) Object.assign(out, ps);
    else if (rest.length > 0) out.parameters = rest.toString('hex');
  } else if (p.pid === C.PID_ACK && code !== undefined) {
    out.confirmation = code;
    out.meaning = CONFIRMATIONS[code] ?? 'unknown code';
    if (rest.length > 0) out.results = rest.toString('hex');
    if (code === C.CC_OK && rest.length === 16) {
      out.sysPara = {
        status: rest.readUInt16BE(0),
        systemId: rest.readUInt16BE(2),
        capacity: rest.readUInt16BE(4),
        securityLevel: rest.readUInt16BE(6),
        address: rest.readUInt32BE(8),
        packetSizeCode: rest.readUInt16BE(12),
        baudCode: rest.readUInt16BE(14),
      };
    }
    if (code === C.CC_OK && rest.length === 4)
      out.search = { page: rest.readUInt16BE(0), score: rest.readUInt16BE(2) };
  } else {
    out.data = p.payload.toString('hex');
  }
  return out;
}
