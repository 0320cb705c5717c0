import path from 'node:path';

/**
 * Face photos named by a roster row (issue 11), before they are read and checked: JSON
 * carries each as base64 in `credentials.facePhotos` (face id → base64 JPEG); CSV names
 * a file in the `face_photos` column as `face_id:relative/path.jpg` entries separated by
 * `;` or `|`, relative to the CSV file's folder. Only the syntax is checked here (the
 * parse is synchronous and holds no photo it need not); face-photo-stage.ts reads, decodes
 * and normalises them one at a time.
 */

const ID_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
/** Standard base64 with padding (RFC 4648 §4): Buffer.from would silently skip bad characters. */
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** A data URL prefix some exports put before the base64 (tolerated, JPEG only). */
const DATA_URL = /^data:image\/jpe?g;base64,/i;
/** Longest base64 text read (about 4 MiB of JPEG): a bigger value is refused before decoding. */
const MAX_BASE64 = Math.ceil((4 * 1024 * 1024 * 4) / 3) + 4;

/** One photo named by a roster row: the bytes (JSON) or a file to read (CSV). */
export interface FacePhotoRef {
  /** The face credential it belongs to (the terminal's person id). */
  key: string;
  residentId: string;
  /** The CSV line, when the roster is CSV. */
  line: number | null;
  /** The field to name in a problem (`face_photos`, `credentials.facePhotos.F-1`). */
  field: string;
  /** The decoded bytes (JSON), dropped once the photo is staged. */
  data?: Buffer | undefined;
  /** A path relative to the CSV file's folder (checked: relative, not leaving the folder). */
  file?: string;
}

/** What is wrong with one named photo (never the bytes). */
export interface PhotoProblem {
  field: string;
  reason: string;
}

/**
 * Whether a CSV photo path is one this import may read: relative, without `..` steps out
 * of the folder, no NUL. The folder itself is fixed by the file being imported; symlinks
 * out of it are refused when the file is opened (face-photo-stage.ts).
 */
export function photoPathProblem(p: string): string | null {
  if (p.includes('\0')) return 'must not contain NUL';
  if (path.isAbsolute(p) || /^[A-Za-z]:/.test(p) || p.startsWith('\\'))
    return 'must be a path relative to the roster file, not an absolute one';
  const norm = path.posix.normalize(p.replaceAll('\\', '/'));
  if (norm === '..' || norm.startsWith('../')) return 'must stay inside the roster file’s folder';
  if (norm === '.' || norm.endsWith('/')) return 'must name a file';
  return null;
}

/**
 * Reads a resident's photos from the JSON object or the CSV cell. Problems name the field
 * (JSON: down to the face id, so the line locator finds the exact line).
 */
export function readFacePhotos(
  value: unknown,
  format: 'json' | 'csv',
): { entries: Array<Pick<FacePhotoRef, 'key' | 'field' | 'data' | 'file'>>; problems: PhotoProblem[] } {
  const entries: Array<Pick<FacePhotoRef, 'key' | 'field' | 'data' | 'file'>> = [];
  const problems: PhotoProblem[] = [];
  if (value === undefined || value === null || value === '') return { entries, problems };
  const seen = new Set<string>();
  const take = (id: string, field: string): boolean => {
    if (!ID_RE.test(id)) {
      problems.push({ field, reason: `face id "${id}" must be letters, digits, _ . : - (≤ 64)` });
      return false;
    }
    if (seen.has(id)) {
      problems.push({ field, reason: `face ${id} has two photos` });
      return false;
    }
    seen.add(id);
    return true;
  };
  if (format === 'csv') {
    const field = 'face_photos';
    for (const item of String(value).split(/[;|]/)) {
      const s = item.trim();
      if (s === '') continue;
      const colon = s.indexOf(':');
      if (colon <= 0) {
        problems.push({ field, reason: 'each entry must be face_id:relative/path.jpg' });
        continue;
      }
      const id = s.slice(0, colon).trim();
      const file = s.slice(colon + 1).trim();
      if (!take(id, field)) continue;
      const bad = file === '' ? 'names no file' : photoPathProblem(file);
      if (bad) problems.push({ field, reason: `photo of face ${id} ${bad}` });
      else entries.push({ key: id, field, file });
    }
    return { entries, problems };
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({
      field: 'credentials.facePhotos',
      reason: 'must be an object of face id → base64 JPEG',
    });
    return { entries, problems };
  }
  for (const [rawId, b64] of Object.entries(value as Record<string, unknown>)) {
    const id = rawId.trim();
    const field = `credentials.facePhotos.${rawId}`;
    if (!take(id, field)) continue;
    if (typeof b64 !== 'string') {
      problems.push({ field, reason: `photo of face ${id} must be a base64 string` });
      continue;
    }
    const text = b64.replace(DATA_URL, '');
    if (text.length > MAX_BASE64) {
      problems.push({ field, reason: `photo of face ${id} is larger than 4 MiB` });
      continue;
    }
    if (text === '' || !BASE64_RE.test(text)) {
      problems.push({ field, reason: `photo of face ${id} is not base64` });
      continue;
    }
    entries.push({ key: id, field, data: Buffer.from(text, 'base64') });
  }
  return { entries, problems };
}
