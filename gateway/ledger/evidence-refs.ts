import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { isThumbRef } from './evidence-ref-format.js';

export { isThumbRef, PATROL_PHOTO_PATTERN, THUMB_REF_RE } from './evidence-ref-format.js';

/**
 * References from evidence to files on the box, and the one safe way to read them
 * (issue 9 item 1). A reference is only ever the id of a thumbnail the gateway wrote
 * itself (pipeline/thumbnails.ts thumbPath): `thumbs/YYYY-MM-DD/<20 hex>.webp|jpg`.
 * Nothing else (free text of a note, a tip, a photo number) is ever taken for a path,
 * and a reference that matches is read only when its real path is inside
 * `dataDir/thumbs`, so neither `..` nor a symbolic link leads out of the folder.
 * Later kinds of evidence files (uploaded patrol photos, a signed archive) add their
 * own pattern and folder here rather than a new reader.
 */

/** The biggest file a reference may read: thumbnails are ≤ 320 px, a few tens of KiB. */
export const MAX_THUMB_BYTES = 1024 * 1024;

/**
 * The thumbnail references of an evidence chain, read from the fields that carry them
 * and nowhere else: `thumbs` (stranger, pattern findings), `persons[].thumbs` (household
 * findings), `photo` (a patrol) and `entries[].thumb`. Strings that do not match the
 * id format are left out. Notes, tip contents and summaries are never looked at.
 */
export function thumbRefsOfEvidence(evidence: Record<string, unknown> | null | undefined): string[] {
  if (!evidence) return [];
  const out = new Set<string>();
  const add = (v: unknown) => {
    if (isThumbRef(v)) out.add(v);
  };
  const addAll = (v: unknown) => {
    if (Array.isArray(v)) for (const x of v) add(x);
  };
  addAll(evidence.thumbs);
  add(evidence.photo);
  if (Array.isArray(evidence.persons))
    for (const p of evidence.persons)
      if (p && typeof p === 'object') addAll((p as { thumbs?: unknown }).thumbs);
  if (Array.isArray(evidence.entries))
    for (const e of evidence.entries) if (e && typeof e === 'object') add((e as { thumb?: unknown }).thumb);
  return [...out];
}

/** Why a thumbnail could not be read. */
export type ThumbMissing = 'refused' | 'missing' | 'too_large';

/**
 * The real path of a thumbnail reference, or why there is none: `refused` when the
 * reference is not in the id format or its real path (symbolic links resolved) is not
 * inside `dataDir/thumbs`; `missing` when no such file exists (expired, never written).
 */
export async function resolveThumb(
  dataDir: string,
  ref: string,
): Promise<{ file: string } | { file: null; why: ThumbMissing }> {
  if (!isThumbRef(ref)) return { file: null, why: 'refused' };
  let root: string;
  let file: string;
  try {
    root = await realpath(path.join(dataDir, 'thumbs'));
    file = await realpath(path.join(dataDir, ref));
  } catch {
    return { file: null, why: 'missing' };
  }
  return file.startsWith(root + path.sep) ? { file } : { file: null, why: 'refused' };
}

/**
 * Reads a thumbnail by reference: its bytes, or why not. The only reader of evidence
 * files: the hand-over JSON, the signed hand-over archive (handover-package.ts), the
 * thumbnail route and the GA/T 1400 face upload (upstream/viid/viid-faces.ts) all come here.
 */
export async function readThumb(
  dataDir: string,
  ref: string,
): Promise<{ data: Buffer } | { data: null; why: ThumbMissing }> {
  const r = await resolveThumb(dataDir, ref);
  if (r.file === null) return { data: null, why: r.why };
  const fh = await open(r.file, 'r').catch(() => null);
  if (!fh) return { data: null, why: 'missing' };
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { data: null, why: 'missing' };
    if (st.size > MAX_THUMB_BYTES) return { data: null, why: 'too_large' };
    return { data: await fh.readFile() };
  } finally {
    await fh.close();
  }
}
