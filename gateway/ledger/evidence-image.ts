import { GatewayError } from '../../core/errors.js';

/**
 * What an uploaded photo or document becomes before it is stored (issue 16): the bytes are
 * judged by their content alone — the name and type the browser sent are never read — and a
 * photo is decoded and encoded again by sharp, which leaves every metadata block behind
 * (EXIF with its GPS position, XMP, IPTC, ICC, comments), at a capped size, with a thumbnail.
 */

/** What the first bytes say a file is; null for anything else. */
export type Sniffed = 'jpeg' | 'png' | 'pdf';

/** How a photo is stored. */
export interface PhotoOptions {
  /** Longest side of the stored image. */
  maxPx: number;
  /** Longest side of its thumbnail. */
  thumbPx: number;
  /** JPEG quality of the stored image. */
  quality: number;
}

/** A photo ready to write: the capped image, its thumbnail (JPEG), its size. */
export interface EncodedPhoto {
  ext: 'jpg' | 'png';
  full: Buffer;
  thumb: Buffer;
  width: number;
  height: number;
}

/** Decoding stops past this many pixels (a decompression bomb is refused, not rendered). */
const MAX_INPUT_PIXELS = 50_000_000;

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The kind of file by its magic bytes (JPEG SOI + marker, the PNG signature, %PDF-). */
export function sniff(buf: Buffer): Sniffed | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf.length >= 8 && buf.subarray(0, 8).equals(PNG_MAGIC)) return 'png';
  if (buf.length >= 8 && buf.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  return null;
}

/**
 * Re-encodes a JPEG or PNG: turned upright by its EXIF orientation, then stripped, capped to
 * maxPx (never enlarged), JPEG stays JPEG and PNG (screenshots: sharp text) stays PNG; the
 * thumbnail is always JPEG. The output is read back and refused if any metadata survived.
 * Throws GatewayError BAD_IMAGE for a file that does not decode as what it claims to be.
 */
export async function encodePhoto(buf: Buffer, kind: 'jpeg' | 'png', o: PhotoOptions): Promise<EncodedPhoto> {
  // libvips costs ~20 MB of resident memory: loaded with the first upload only.
  const sharp = (await import('sharp')).default;
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(buf, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS }).metadata();
  } catch (err) {
    throw new GatewayError('BAD_IMAGE', `the file does not decode as ${kind}: ${(err as Error).message}`);
  }
  if (meta.format !== kind)
    throw new GatewayError(
      'BAD_IMAGE',
      `the file starts like ${kind} but decodes as ${meta.format ?? 'nothing'}`,
    );
  const base = () =>
    sharp(buf, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS }).rotate().toColourspace('srgb');
  try {
    const sized = base().resize(o.maxPx, o.maxPx, { fit: 'inside', withoutEnlargement: true });
    const { data: full, info } = await (kind === 'jpeg'
      ? sized.jpeg({ quality: o.quality, mozjpeg: true })
      : sized.png({ compressionLevel: 9 })
    ).toBuffer({ resolveWithObject: true });
    const thumb = await base()
      .resize(o.thumbPx, o.thumbPx, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 70, mozjpeg: true })
      .toBuffer();
    for (const out of [full, thumb]) {
      const m = await sharp(out).metadata();
      if (m.exif || m.xmp || m.iptc || m.icc || m.comments?.length)
        throw new GatewayError('BAD_IMAGE', 'metadata survived re-encoding');
    }
    return { ext: kind === 'jpeg' ? 'jpg' : 'png', full, thumb, width: info.width, height: info.height };
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw new GatewayError('BAD_IMAGE', `the ${kind} could not be re-encoded: ${(err as Error).message}`);
  }
}

/**
 * Words of a PDF that run or fetch something when it is opened: a document from the
 * enforcement office is text and scans, never script, launch actions or attachments.
 */
const ACTIVE_PDF = /\/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b/;

/**
 * Checks a PDF enough to store it as it is (it cannot be re-encoded): the header, an end
 * marker near the end, and no active content in its uncompressed parts. Throws BAD_DOCUMENT.
 * It is only ever served as a download under a sandboxing policy, never shown in the page.
 */
export function checkPdf(buf: Buffer): void {
  if (!/^%PDF-\d\.\d/.test(buf.subarray(0, 8).toString('latin1')))
    throw new GatewayError('BAD_DOCUMENT', 'not a PDF (no %PDF-n.n header)');
  if (
    !buf
      .subarray(Math.max(0, buf.length - 2048))
      .toString('latin1')
      .includes('%%EOF')
  )
    throw new GatewayError('BAD_DOCUMENT', 'the PDF is cut short (no %%EOF at its end)');
  const m = ACTIVE_PDF.exec(buf.toString('latin1'));
  if (m) throw new GatewayError('BAD_DOCUMENT', `the PDF carries active content (/${m[1]}): refused`);
}
