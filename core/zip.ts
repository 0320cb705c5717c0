/**
 * A small ZIP (PKWARE APPNOTE 6.3) writer and reader for the signed hand-over package (issue
 * 14): entries stored uncompressed (the images are JPEG/WebP already; the JSON is small), names
 * in UTF-8 (general-purpose bit 11), CRC-32 from node:zlib. A ZIP opens on any office PC
 * without a tool. The reader is total: bytes from anywhere give entries or a reason, never an
 * exception, and it refuses what a hand-over package never holds (compression, encryption,
 * ZIP64, names that climb out of the archive).
 */
import { crc32 } from 'node:zlib';

/** One file of an archive. */
export interface ZipEntry {
  name: string;
  data: Buffer;
}

const LOCAL_SIG = 0x04034b50;
const CENTRAL_SIG = 0x02014b50;
const END_SIG = 0x06054b50;
const UTF8_FLAG = 0x0800;
/** DOS date of 1980-01-01 00:00: the entries carry no time (the manifest does). */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
/** Most entries a package may hold. */
export const MAX_ZIP_ENTRIES = 10_000;

/** A name safe to unpack: relative, no `..`, no backslash, no drive, no control characters. */
export function safeEntryName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 255 &&
    !name.startsWith('/') &&
    !name.includes('\\') &&
    !name.includes(':') &&
    ![...name].some((ch) => (ch.codePointAt(0) ?? 0) < 0x20) &&
    name.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..')
  );
}

/** Writes the entries, in order, as one archive. Throws on an unsafe or repeated name. */
export function writeZip(entries: readonly ZipEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (const e of entries) {
    if (!safeEntryName(e.name) || seen.has(e.name))
      throw new Error(`bad or repeated entry name ${JSON.stringify(e.name)}`);
    seen.add(e.name);
    const name = Buffer.from(e.name, 'utf8');
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_SIG, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(UTF8_FLAG, 6);
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0, 10); // time
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(CENTRAL_SIG, 0);
    cd.writeUInt16LE(20, 4); // made by
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(UTF8_FLAG, 8);
    cd.writeUInt16LE(0, 10);
    cd.writeUInt16LE(0, 12);
    cd.writeUInt16LE(DOS_DATE, 14);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(e.data.length, 20);
    cd.writeUInt32LE(e.data.length, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    parts.push(local, name, e.data);
    offset += local.length + name.length + e.data.length;
  }
  const cdBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_SIG, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cdBytes, end]);
}

/** Reads an archive written as above (stored entries). Total. */
export function readZip(buf: Buffer): { ok: true; entries: ZipEntry[] } | { ok: false; why: string } {
  try {
    return readZipUnchecked(buf);
  } catch (err) {
    return { ok: false, why: `not a readable archive: ${(err as Error).message}` };
  }
}

function readZipUnchecked(buf: Buffer): { ok: true; entries: ZipEntry[] } | { ok: false; why: string } {
  let end = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65_535); i--) {
    if (buf.readUInt32LE(i) === END_SIG) {
      end = i;
      break;
    }
  }
  if (end < 0) return { ok: false, why: 'no end of central directory: not a ZIP archive' };
  const count = buf.readUInt16LE(end + 10);
  const cdSize = buf.readUInt32LE(end + 12);
  const cdOffset = buf.readUInt32LE(end + 16);
  if (count > MAX_ZIP_ENTRIES) return { ok: false, why: `${count} entries` };
  if (cdOffset + cdSize > end) return { ok: false, why: 'central directory out of bounds' };
  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > end || buf.readUInt32LE(p) !== CENTRAL_SIG)
      return { ok: false, why: `central entry ${n} is damaged` };
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    if (flags & 0x0001) return { ok: false, why: `${name}: encrypted` };
    if (method !== 0)
      return { ok: false, why: `${name}: compressed (method ${method}); a package stores its files` };
    if (!safeEntryName(name))
      return { ok: false, why: `entry name ${JSON.stringify(name)} is not safe to unpack` };
    if (names.has(name)) return { ok: false, why: `${name} twice` };
    names.add(name);
    if (local + 30 > cdOffset || buf.readUInt32LE(local) !== LOCAL_SIG)
      return { ok: false, why: `${name}: local header damaged` };
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (start + size > cdOffset) return { ok: false, why: `${name}: data out of bounds` };
    const data = Buffer.from(buf.subarray(start, start + size));
    if (crc32(data) !== crc) return { ok: false, why: `${name}: CRC-32 does not match` };
    entries.push({ name, data });
  }
  return { ok: true, entries };
}
