import { lstat, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';

/**
 * The one shape of a thumbnail reference (pipeline/thumbnails.ts thumbPath): `thumbs/`, a
 * local date, 20 hex digits, .webp or .jpg. Anything else — `..`, an absolute path, another
 * folder, another extension — is not an image of the box, whatever a row or a request says.
 *
 * Issue 14 builds the signed hand-over archive on this module; issue 9 is fixing the same
 * hole in ledger/handover.ts at the same time (strict references, images read at download
 * time). The lead reconciles the two at merge: one validator should remain.
 */
export const THUMB_REF = /^thumbs\/\d{4}-\d{2}-\d{2}\/[0-9a-f]{20}\.(webp|jpg)$/;

/** Whether a string is a thumbnail reference. */
export function isThumbRef(ref: unknown): ref is string {
  return typeof ref === 'string' && THUMB_REF.test(ref);
}

/**
 * Reads a referenced thumbnail: null when the reference is not one, the file is gone (the
 * retention removed it), is not a regular file (a symlink planted there), or resolves
 * outside the data directory's thumbs folder.
 */
export async function readThumb(dataDir: string, ref: string): Promise<Buffer | null> {
  if (!isThumbRef(ref)) return null;
  const root = path.resolve(dataDir, 'thumbs');
  const file = path.resolve(dataDir, ref);
  if (!file.startsWith(`${root}${path.sep}`)) return null;
  try {
    const st = await lstat(file);
    if (!st.isFile()) return null;
    const real = await realpath(file);
    const realRoot = await realpath(root);
    if (!real.startsWith(`${realRoot}${path.sep}`)) return null;
    return await readFile(real);
  } catch {
    return null;
  }
}
