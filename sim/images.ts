/**
 * Synthetic face snapshots: what a terminal attaches to a face event (§5 `image`). Drawn as
 * SVG and encoded to JPEG once per variant by sharp, then reused: the gateway only needs a
 * real JPEG to thumbnail, and a sim that re-encoded per read would measure sharp, not the
 * gateway.
 */
import sharp from 'sharp';

/** Snapshot size: portrait, as face terminals take them. */
export const FACE_WIDTH = 480;
export const FACE_HEIGHT = 640;
/** Number of distinct snapshots. */
export const FACE_VARIANTS = 8;

const SKIN = ['#f1c9a5', '#e0ac84', '#c68c63', '#f5d6bd'] as const;
const HAIR = ['#1d1a17', '#3b2a1e', '#5a5a5a', '#111111'] as const;
const BACKDROP = ['#8fa9c4', '#b9c7b0', '#c9b8a6', '#9aa0a8'] as const;
const SHIRT = ['#2f4f6f', '#7a3b3b', '#3f6f4a', '#555555'] as const;

/** Variant v as SVG: a head and shoulders with hair, eyes and mouth, no text (no fonts needed). */
function faceSvg(v: number): string {
  const skin = SKIN[v % SKIN.length];
  const hair = HAIR[(v >> 1) % HAIR.length];
  const back = BACKDROP[(v >> 2) % BACKDROP.length];
  const shirt = SHIRT[(v + 1) % SHIRT.length];
  const longHair = v % 2 === 1;
  const cx = FACE_WIDTH / 2;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${FACE_WIDTH}" height="${FACE_HEIGHT}">
  <defs><radialGradient id="g" cx="50%" cy="40%" r="70%">
    <stop offset="0%" stop-color="#ffffff" stop-opacity="0.35"/><stop offset="100%" stop-color="${back}"/>
  </radialGradient></defs>
  <rect width="100%" height="100%" fill="${back}"/><rect width="100%" height="100%" fill="url(#g)"/>
  ${longHair ? `<rect x="${cx - 125}" y="200" width="250" height="260" rx="60" fill="${hair}"/>` : ''}
  <path d="M40 640 Q${cx} 420 ${FACE_WIDTH - 40} 640 Z" fill="${shirt}"/>
  <rect x="${cx - 40}" y="400" width="80" height="80" fill="${skin}"/>
  <ellipse cx="${cx}" cy="300" rx="110" ry="140" fill="${skin}"/>
  <path d="M${cx - 115} 280 Q${cx - 110} 140 ${cx} 150 Q${cx + 110} 140 ${cx + 115} 280 Q${cx} 190 ${cx - 115} 280 Z" fill="${hair}"/>
  <ellipse cx="${cx - 42}" cy="300" rx="14" ry="9" fill="#2b2b2b"/>
  <ellipse cx="${cx + 42}" cy="300" rx="14" ry="9" fill="#2b2b2b"/>
  <path d="M${cx - 8} 320 L${cx - 14} 360 L${cx + 6} 360" stroke="#9c6b4e" stroke-width="4" fill="none"/>
  <path d="M${cx - 35} 390 Q${cx} ${405 + (v % 3) * 6} ${cx + 35} 390" stroke="#8a3b3b" stroke-width="6" fill="none"/>
</svg>`;
}

/** Encoded snapshots by variant; promises, so concurrent first calls encode only once. */
const cache = new Map<number, Promise<Buffer>>();

/** The JPEG of variant `v` (any integer; taken modulo FACE_VARIANTS). Encoded once, then cached. */
export function faceImage(v: number): Promise<Buffer> {
  const k = ((Math.floor(v) % FACE_VARIANTS) + FACE_VARIANTS) % FACE_VARIANTS;
  let p = cache.get(k);
  if (!p) {
    p = sharp(Buffer.from(faceSvg(k)))
      .jpeg({ quality: 70, mozjpeg: false })
      .toBuffer();
    // A failed encode must not stay cached: the next call tries again.
    p.catch(() => cache.delete(k));
    cache.set(k, p);
  }
  return p;
}

/** Every variant, encoded (call once before a run so presentations never wait on sharp). */
export function faceImages(): Promise<Buffer[]> {
  return Promise.all(Array.from({ length: FACE_VARIANTS }, (_, v) => faceImage(v)));
}
