import sharp from 'sharp';

/**
 * Uploads for the tests of issue 16: photos with an EXIF block carrying a GPS position, as a
 * phone writes them, and a reader of that block (to show the position is gone after the
 * gateway stored the photo); a decompression bomb's header; a small PDF.
 * The EXIF block is built by hand — TIFF header, IFD0 with a description and the
 * GPS pointer, the GPS IFD with latitude and longitude as rationals — so the fixture does not
 * depend on what an image library chooses to write.
 */

/** A position as degrees (north and east positive). */
export interface Position {
  lat: number;
  lon: number;
}

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

/** Degrees as three rationals: degrees, minutes, seconds × 100. */
function dms(v: number): Buffer {
  const a = Math.abs(v);
  const d = Math.floor(a);
  const m = Math.floor((a - d) * 60);
  const s = Math.round(((a - d) * 60 - m) * 60 * 100);
  return Buffer.concat([u32(d), u32(1), u32(m), u32(1), u32(s), u32(100)]);
}

/** One IFD entry: tag, type, count, value or offset (4 bytes). */
function entry(tag: number, type: number, count: number, value: Buffer): Buffer {
  const v = Buffer.alloc(4);
  value.copy(v, 0, 0, Math.min(4, value.length));
  return Buffer.concat([u16(tag), u16(type), u32(count), v]);
}

/** The TIFF body of an EXIF block: IFD0 (ImageDescription, GPS pointer) and the GPS IFD. */
function tiff(pos: Position, description: string): Buffer {
  const desc = Buffer.from(`${description}\0`, 'latin1');
  // Layout (offsets from the TIFF header): header 8, IFD0 at 8 with 2 entries (2+24+4=30),
  // the description at 38, the GPS IFD after it with 4 entries (2+48+4=54), then 2×24 bytes of rationals.
  const ifd0 = 8;
  const descAt = ifd0 + 2 + 2 * 12 + 4;
  const gpsAt = descAt + desc.length + (desc.length % 2);
  const latAt = gpsAt + 2 + 4 * 12 + 4;
  const lonAt = latAt + 24;
  const head = Buffer.concat([Buffer.from('II'), u16(42), u32(ifd0)]);
  const ifd = Buffer.concat([
    u16(2),
    entry(0x010e, 2, desc.length, u32(descAt)),
    entry(0x8825, 4, 1, u32(gpsAt)),
    u32(0),
  ]);
  const gps = Buffer.concat([
    u16(4),
    entry(0x0001, 2, 2, Buffer.from(pos.lat >= 0 ? 'N\0' : 'S\0', 'latin1')),
    entry(0x0002, 5, 3, u32(latAt)),
    entry(0x0003, 2, 2, Buffer.from(pos.lon >= 0 ? 'E\0' : 'W\0', 'latin1')),
    entry(0x0004, 5, 3, u32(lonAt)),
    u32(0),
  ]);
  const pad = Buffer.alloc(desc.length % 2);
  return Buffer.concat([head, ifd, desc, pad, gps, dms(pos.lat), dms(pos.lon)]);
}

/** A JPEG with an EXIF APP1 segment (GPS position, description) inserted after its SOI. */
export function withGps(jpeg: Buffer, pos: Position, description = 'home of the tenant'): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG');
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff(pos, description)]);
  const app1 = Buffer.concat([
    Buffer.from([0xff, 0xe1]),
    Buffer.from([(body.length + 2) >> 8, (body.length + 2) & 0xff]),
    body,
  ]);
  return Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]);
}

/** The EXIF block of a JPEG (the TIFF body of its APP1 "Exif" segment), or null. */
export function exifBlock(jpeg: Buffer): Buffer | null {
  let i = 2;
  while (i + 4 <= jpeg.length && jpeg[i] === 0xff) {
    const marker = jpeg[i + 1] as number;
    if (marker === 0xda || marker === 0xd9) break;
    const len = jpeg.readUInt16BE(i + 2);
    if (marker === 0xe1 && jpeg.subarray(i + 4, i + 10).toString('latin1') === 'Exif\0\0')
      return jpeg.subarray(i + 10, i + 2 + len);
    i += 2 + len;
  }
  return null;
}

/** The GPS position an EXIF block of a JPEG carries (little-endian TIFF), or null. */
export function readGps(jpeg: Buffer): Position | null {
  const t = exifBlock(jpeg);
  if (t === null || t.subarray(0, 2).toString('latin1') !== 'II') return null;
  const ifd = (at: number) => {
    const n = t.readUInt16LE(at);
    const out = new Map<number, { type: number; count: number; value: number }>();
    for (let k = 0; k < n; k++) {
      const e = at + 2 + k * 12;
      out.set(t.readUInt16LE(e), {
        type: t.readUInt16LE(e + 2),
        count: t.readUInt32LE(e + 4),
        value: t.readUInt32LE(e + 8),
      });
    }
    return out;
  };
  const gpsAt = ifd(t.readUInt32LE(4)).get(0x8825)?.value;
  if (gpsAt === undefined) return null;
  const g = ifd(gpsAt);
  const deg = (tag: number) => {
    const at = g.get(tag)?.value;
    if (at === undefined) return Number.NaN;
    const r = (k: number) => t.readUInt32LE(at + k * 8) / t.readUInt32LE(at + k * 8 + 4);
    return r(0) + r(1) / 60 + r(2) / 3600;
  };
  const sign = (tag: number, neg: string) => (String.fromCharCode(g.get(tag)?.value ?? 0) === neg ? -1 : 1);
  return { lat: sign(0x0001, 'S') * deg(0x0002), lon: sign(0x0003, 'W') * deg(0x0004) };
}

function crc32(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buf) {
    let c = (crc ^ byte) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/**
 * A decompression bomb's opening: a 69-byte PNG that claims width × height pixels (say
 * 20000 × 20000 = 400 MP, 1.2 GB decoded). A decoder that trusts it runs out of memory.
 */
export function hugePng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01])),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A small PDF as an office's scanner writes one (text only), or with the given extra object. */
export function simplePdf(extra = ''): Buffer {
  return Buffer.from(
    `%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R ${extra} >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
    'latin1',
  );
}

/**
 * JPEGs for tests of face photos (issue 11): noise of the size asked (so it weighs what a
 * photo weighs: terminals refuse files under 1 KB), optionally with an EXIF orientation and
 * a GPS-like comment, so a test can see that normalisation turns it upright and strips the
 * metadata.
 */
export async function testJpeg(
  width: number,
  height: number,
  o: { orientation?: number; shade?: number; quality?: number } = {},
): Promise<Buffer> {
  const shade = o.shade ?? 128;
  let img = sharp({
    create: {
      width,
      height,
      channels: 3,
      background: { r: shade, g: shade, b: shade },
      noise: { type: 'gaussian', mean: shade, sigma: 30 },
    },
  }).jpeg({ quality: o.quality ?? 90 });
  if (o.orientation)
    img = img.withMetadata({ orientation: o.orientation, exif: { IFD0: { ImageDescription: 'GPS 31.2N' } } });
  return img.toBuffer();
}
