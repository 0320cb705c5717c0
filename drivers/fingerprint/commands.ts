import { GatewayError } from '../../core/errors.js';
import {
  INS_DELETE_CHAR,
  INS_DOWN_CHAR,
  INS_GEN_IMG,
  INS_IMG2TZ,
  INS_READ_INDEX_TABLE,
  INS_READ_SYS_PARA,
  INS_SEARCH,
  INS_STORE,
  INS_TEMPLATE_NUM,
  INS_VFY_PWD,
  PAGES_PER_INDEX,
} from './constants.js';
import { encodeCommand, type Packet } from './frame.js';

/**
 * Command builders and ack readers for the instructions the driver uses
 * (protocols.md §Fingerprint; parameter layouts as in pyfingerprint).
 */
const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const u32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

/** VfyPwd (0x13): password u32. */
export const vfyPwd = (addr: number, password: number): Buffer =>
  encodeCommand(addr, INS_VFY_PWD, u32(password));
/** ReadSysPara (0x0F). */
export const readSysPara = (addr: number): Buffer => encodeCommand(addr, INS_READ_SYS_PARA);
/** GenImg (0x01): capture a finger image. */
export const genImg = (addr: number): Buffer => encodeCommand(addr, INS_GEN_IMG);
/** Img2Tz (0x02): image → character file in buffer 1 or 2. */
export const img2Tz = (addr: number, buffer: number): Buffer => encodeCommand(addr, INS_IMG2TZ, [buffer]);
/** Search (0x04): buffer, start page u16, page count u16. */
export const search = (addr: number, buffer: number, start: number, count: number): Buffer =>
  encodeCommand(addr, INS_SEARCH, [buffer, ...u16(start), ...u16(count)]);
/** Store (0x06): buffer, page u16. */
export const store = (addr: number, buffer: number, page: number): Buffer =>
  encodeCommand(addr, INS_STORE, [buffer, ...u16(page)]);
/** DownChar (0x09): the host sends a template into a buffer in data packets next. */
export const downChar = (addr: number, buffer: number): Buffer =>
  encodeCommand(addr, INS_DOWN_CHAR, [buffer]);
/** DeleteChar (0x0C): first page u16, count u16. */
export const deleteChar = (addr: number, page: number, count: number): Buffer =>
  encodeCommand(addr, INS_DELETE_CHAR, [...u16(page), ...u16(count)]);
/** TemplateNum (0x1D). */
export const templateNum = (addr: number): Buffer => encodeCommand(addr, INS_TEMPLATE_NUM);
/** ReadIndexTable (0x1F): index page 0..3. */
export const readIndexTable = (addr: number, index: number): Buffer =>
  encodeCommand(addr, INS_READ_INDEX_TABLE, [index]);

/** ReadSysPara results (each u16 except address u32). */
export interface SysPara {
  status: number;
  systemId: number;
  capacity: number;
  securityLevel: number;
  address: number;
  packetSizeCode: number;
  baudCode: number;
}

/** The confirmation code of an ack. */
export function ackCode(p: Packet): number {
  return p.payload[0] ?? -1;
}

/** Reads the 16 result bytes of a ReadSysPara ack. */
export function parseSysPara(p: Packet): SysPara {
  const r = results(p, 16, 'ReadSysPara');
  return {
    status: r.readUInt16BE(0),
    systemId: r.readUInt16BE(2),
    capacity: r.readUInt16BE(4),
    securityLevel: r.readUInt16BE(6),
    address: r.readUInt32BE(8),
    packetSizeCode: r.readUInt16BE(12),
    baudCode: r.readUInt16BE(14),
  };
}

/** Reads a Search ack: page u16, score u16. */
export function parseSearch(p: Packet): { page: number; score: number } {
  const r = results(p, 4, 'Search');
  return { page: r.readUInt16BE(0), score: r.readUInt16BE(2) };
}

/** Reads a ReadIndexTable ack: the used pages of that index page (bit i of byte j = page 8j+i). */
export function parseIndexTable(p: Packet, index: number): number[] {
  const r = results(p, 32, 'ReadIndexTable');
  const used: number[] = [];
  for (let byte = 0; byte < 32; byte++) {
    const v = r[byte] ?? 0;
    for (let bit = 0; bit < 8; bit++) if (v & (1 << bit)) used.push(index * PAGES_PER_INDEX + byte * 8 + bit);
  }
  return used;
}

function results(p: Packet, n: number, what: string): Buffer {
  if (p.payload.length < 1 + n) {
    throw new GatewayError('FRAME_LENGTH', `${what} ack too short`, { have: p.payload.length - 1, want: n });
  }
  return p.payload.subarray(1, 1 + n);
}
