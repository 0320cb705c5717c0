import { createHash } from 'node:crypto';
import type sharpModule from 'sharp';

/**
 * The face photo a roster carries for a face credential (issue 11): a JPEG that face
 * terminals build their own model from. It is checked the way a terminal would (it must
 * decode, be a sensible size, show enough pixels for a face) and normalised once, here:
 * turned upright, bounded to what every vendor accepts (mqtt-face and Hikvision refuse
 * large files), re-encoded without EXIF or other metadata (a phone photo carries where it
 * was taken). The bytes are biometric data: never logged, never sent upstream.
 */

/** Largest photo accepted from a roster or a pass, decoded bytes. */
export const MAX_PHOTO_BYTES = 4 * 1024 * 1024;
/** Smallest side in pixels: below this no terminal finds a usable face. */
export const MIN_PHOTO_SIDE = 120;
/** Largest side in pixels accepted as input (decompression bombs are refused before decoding). */
export const MAX_PHOTO_SIDE = 8000;
/** A face photo is portrait or roughly square: far wider or taller is not one. */
export const MIN_ASPECT = 0.4;
export const MAX_ASPECT = 2.5;
/** The normalised photo fits in this box (enough for every terminal's enrolment). */
export const OUT_WIDTH = 720;
export const OUT_HEIGHT = 960;
/** The normalised JPEG stays under this (Hikvision's 200 KB limit is the tightest known). */
export const OUT_MAX_BYTES = 180 * 1024;
const QUALITIES = [88, 78, 66, 54] as const;

/** A photo ready to be stored and sent to terminals. */
export interface NormalisedPhoto {
  jpeg: Buffer;
  /** SHA-256 (hex) of `jpeg`. */
  digest: string;
  width: number;
  height: number;
}

/** Whether bytes start like a JPEG (SOI and a marker). */
export function looksLikeJpeg(b: Buffer): boolean {
  return b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

/** SHA-256 of bytes, hex. */
export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/**
 * sharp (libvips) is loaded at the first photo, not at start: a daemon that never sees a
 * photo keeps its ~10 MB of libraries and their pages out of its RSS (issue 15). libvips'
 * operation cache is off: each photo is decoded once, so caching only holds memory.
 */
async function loadSharp(): Promise<typeof sharpModule> {
  const sharp = (await import('sharp')).default;
  sharp.cache(false);
  return sharp;
}

/**
 * Checks a candidate photo and returns it normalised, or says in words what is wrong with it
 * ("is 80×60 px; at least 120 px a side"). Never throws on any bytes.
 */
export async function normalisePhoto(input: Buffer): Promise<NormalisedPhoto | string> {
  if (input.length === 0) return 'is empty';
  if (input.length > MAX_PHOTO_BYTES)
    return `is ${kib(input.length)}; at most ${kib(MAX_PHOTO_BYTES)} is accepted`;
  if (!looksLikeJpeg(input)) return 'is not a JPEG';
  const sharp = await loadSharp();
  let meta: sharpModule.Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: MAX_PHOTO_SIDE * MAX_PHOTO_SIDE }).metadata();
  } catch {
    return 'cannot be decoded as a JPEG';
  }
  if (meta.format !== 'jpeg') return 'is not a JPEG';
  // EXIF orientations 5–8 swap width and height once the photo is turned upright.
  const turned = (meta.orientation ?? 1) >= 5;
  const w = (turned ? meta.height : meta.width) ?? 0;
  const h = (turned ? meta.width : meta.height) ?? 0;
  if (w > MAX_PHOTO_SIDE || h > MAX_PHOTO_SIDE) return `is ${w}×${h} px; at most ${MAX_PHOTO_SIDE} px a side`;
  if (w < MIN_PHOTO_SIDE || h < MIN_PHOTO_SIDE)
    return `is ${w}×${h} px; a face photo needs at least ${MIN_PHOTO_SIDE} px a side`;
  const aspect = w / h;
  if (aspect < MIN_ASPECT || aspect > MAX_ASPECT)
    return `is ${w}×${h} px; a face photo is portrait or nearly square`;
  try {
    for (const quality of QUALITIES) {
      // rotate() with no angle applies the EXIF orientation; the output carries no metadata.
      const { data, info } = await sharp(input, { limitInputPixels: MAX_PHOTO_SIDE * MAX_PHOTO_SIDE })
        .rotate()
        .resize({ width: OUT_WIDTH, height: OUT_HEIGHT, fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality, mozjpeg: false, chromaSubsampling: '4:2:0' })
        .toBuffer({ resolveWithObject: true });
      if (data.length <= OUT_MAX_BYTES || quality === QUALITIES.at(-1))
        return { jpeg: data, digest: sha256(data), width: info.width, height: info.height };
    }
  } catch {
    // A header that reads but pixels that do not (a truncated file) fail here.
    return 'cannot be decoded as a JPEG (truncated or damaged)';
  }
  return 'cannot be decoded as a JPEG';
}

function kib(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}
