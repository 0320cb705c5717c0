import * as C from '../../drivers/fingerprint/constants.js';
import { encodeAck, type Packet, scanPacket } from '../../drivers/fingerprint/frame.js';
import { SimDevice } from './device.js';

/** How the simulated module is set up. */
export interface SimFingerprintOptions {
  address?: number;
  password?: number;
  /** Template pages, default 300. */
  capacity?: number;
  /** ReadSysPara packet size code 0..3, default 2 (128-byte data packets). */
  packetSizeCode?: number;
}

/** Matches a command packet with this instruction code: for `module.expect(fingerprintCommand(INS_GEN_IMG))`. */
export function fingerprintCommand(ins: number): (p: Packet) => boolean {
  return (p) => p.pid === C.PID_COMMAND && p.payload[0] === ins;
}

/** Score the simulated module gives an exact match (real modules report roughly 50–300). */
export const SIM_MATCH_SCORE = 180;

/**
 * An R30x/AS608 module: a page library of templates, two character buffers, and a
 * finger that tests place and lift. Answers VfyPwd, ReadSysPara, GenImg, Img2Tz, Search,
 * HiSpeedSearch, Store, LoadChar, DownChar (with data packets), DeleteChar, Empty,
 * TemplateNum and ReadIndexTable with the bytes a real module sends.
 */
export class SimFingerprintModule extends SimDevice<Packet> {
  /** page → template. */
  readonly library = new Map<number, Buffer>();
  readonly #address: number;
  readonly #password: number;
  readonly #capacity: number;
  readonly #packetSizeCode: number;
  readonly #buffers = new Map<number, Buffer>();
  #finger: Buffer | null = null;
  #image: Buffer | null = null;
  #download: { buffer: number; chunks: Buffer[] } | undefined;

  constructor(opts: SimFingerprintOptions = {}) {
    super(scanPacket);
    this.#address = opts.address ?? C.DEFAULT_ADDRESS;
    this.#password = opts.password ?? C.DEFAULT_PASSWORD;
    this.#capacity = opts.capacity ?? 300;
    this.#packetSizeCode = opts.packetSizeCode ?? 2;
  }

  /** Puts a finger on the sensor; its template decides what Search finds. */
  placeFinger(template: Buffer): void {
    this.#finger = template;
  }

  /** Lifts the finger. */
  liftFinger(): void {
    this.#finger = null;
  }

  protected override respond(p: Packet): Buffer | null {
    if (p.address !== this.#address) return null;
    if (p.pid === C.PID_DATA || p.pid === C.PID_END_DATA) return this.#data(p);
    if (p.pid !== C.PID_COMMAND) return null;
    const ins = p.payload[0] ?? -1;
    const arg = p.payload.subarray(1);
    switch (ins) {
      case C.INS_VFY_PWD:
        return this.#ack(
          arg.length >= 4 && arg.readUInt32BE(0) === this.#password ? C.CC_OK : C.CC_WRONG_PASSWORD,
        );
      case C.INS_READ_SYS_PARA:
        return this.#ack(C.CC_OK, this.#sysPara());
      case C.INS_GEN_IMG:
        this.#image = this.#finger;
        return this.#ack(this.#finger ? C.CC_OK : C.CC_NO_FINGER);
      case C.INS_IMG2TZ:
        if (!this.#image) return this.#ack(C.CC_IMAGE_MESSY);
        this.#buffers.set(arg[0] ?? 1, this.#image);
        return this.#ack(C.CC_OK);
      case C.INS_SEARCH:
      case C.INS_HI_SPEED_SEARCH:
        return this.#search(arg);
      case C.INS_STORE:
      case C.INS_LOAD_CHAR:
        return this.#storeOrLoad(ins, arg);
      case C.INS_DOWN_CHAR:
        this.#download = { buffer: arg[0] ?? 1, chunks: [] };
        return this.#ack(C.CC_OK);
      case C.INS_DELETE_CHAR: {
        const page = arg.readUInt16BE(0);
        const count = arg.readUInt16BE(2);
        if (page + count > this.#capacity) return this.#ack(C.CC_DELETE_FAILED);
        for (let i = page; i < page + count; i++) this.library.delete(i);
        return this.#ack(C.CC_OK);
      }
      case C.INS_EMPTY:
        this.library.clear();
        return this.#ack(C.CC_OK);
      case C.INS_TEMPLATE_NUM:
        return this.#ack(C.CC_OK, u16(this.library.size));
      case C.INS_READ_INDEX_TABLE:
        return this.#ack(C.CC_OK, this.#indexTable(arg[0] ?? 0));
      default:
        return this.#ack(C.CC_PACKET_REFUSED);
    }
  }

  #data(p: Packet): Buffer | null {
    if (!this.#download) return null;
    this.#download.chunks.push(p.payload);
    if (p.pid === C.PID_END_DATA) {
      this.#buffers.set(this.#download.buffer, Buffer.concat(this.#download.chunks));
      this.#download = undefined;
    }
    return null; // data packets get no ack
  }

  #search(arg: Buffer): Buffer {
    const tpl = this.#buffers.get(arg[0] ?? 1);
    const start = arg.readUInt16BE(1);
    const count = arg.readUInt16BE(3);
    if (tpl) {
      for (let page = start; page < Math.min(start + count, this.#capacity); page++) {
        if (this.library.get(page)?.equals(tpl))
          return this.#ack(C.CC_OK, Buffer.from([...u16(page), ...u16(SIM_MATCH_SCORE)]));
      }
    }
    return this.#ack(C.CC_NOT_FOUND, Buffer.from([0, 0, 0, 0]));
  }

  #storeOrLoad(ins: number, arg: Buffer): Buffer {
    const buffer = arg[0] ?? 1;
    const page = arg.readUInt16BE(1);
    if (page >= this.#capacity) return this.#ack(C.CC_BAD_PAGE);
    if (ins === C.INS_LOAD_CHAR) {
      const tpl = this.library.get(page);
      if (!tpl) return this.#ack(C.CC_BAD_TEMPLATE);
      this.#buffers.set(buffer, tpl);
      return this.#ack(C.CC_OK);
    }
    const tpl = this.#buffers.get(buffer);
    if (!tpl) return this.#ack(C.CC_BAD_TEMPLATE);
    this.library.set(page, tpl);
    return this.#ack(C.CC_OK);
  }

  #sysPara(): Buffer {
    const b = Buffer.alloc(16);
    b.writeUInt16BE(0, 0); // status register
    b.writeUInt16BE(0x0009, 2); // system identifier code
    b.writeUInt16BE(this.#capacity, 4);
    b.writeUInt16BE(3, 6); // security level
    b.writeUInt32BE(this.#address >>> 0, 8);
    b.writeUInt16BE(this.#packetSizeCode, 12);
    b.writeUInt16BE(6, 14); // baud code: 6 × 9600 = 57600
    return b;
  }

  #indexTable(index: number): Buffer {
    const bits = Buffer.alloc(32);
    for (const page of this.library.keys()) {
      const rel = page - index * C.PAGES_PER_INDEX;
      if (rel >= 0 && rel < C.PAGES_PER_INDEX) bits[rel >> 3] = (bits[rel >> 3] ?? 0) | (1 << (rel & 7));
    }
    return bits;
  }

  #ack(code: number, results?: Buffer): Buffer {
    return encodeAck(this.#address, code, results);
  }
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n & 0xffff);
  return b;
}
