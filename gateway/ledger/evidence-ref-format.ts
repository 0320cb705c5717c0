/**
 * The formats of evidence references (issue 9 item 1), without any I/O: the API schemas
 * (which the dashboard's type-check reads) use them as well as the reader in
 * evidence-refs.ts.
 */

/** The id format of a thumbnail, relative to the data directory. */
export const THUMB_REF_RE = /^thumbs\/\d{4}-\d{2}-\d{2}\/[0-9a-f]{20}\.(webp|jpg)$/;

/**
 * What a patrol's `photo` may be: a thumbnail reference, or the number of a photo on the
 * inspector's camera (`IMG_20240501_0930.jpg`) — a label, never a path: no slash, no
 * `..`, no leading dot.
 */
export const PATROL_PHOTO_PATTERN =
  '^(thumbs/\\d{4}-\\d{2}-\\d{2}/[0-9a-f]{20}\\.(webp|jpg)|[A-Za-z0-9][A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]+)*)$';

/** True when `v` is a thumbnail reference in the id format. */
export function isThumbRef(v: unknown): v is string {
  return typeof v === 'string' && THUMB_REF_RE.test(v);
}
