import { randomBytes } from 'node:crypto';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../store/db.js';
import type { FacePhotoRef } from './face-photo-refs.js';
import { MAX_PHOTO_BYTES, normalisePhoto } from './face-photos.js';
import type { RowError } from './import.js';
import type { RosterSnapshot } from './model.js';
import { type ImportMode, type ImportStats, saveRoster } from './repository.js';

/** Staged photos older than this belong to an import that died: dropped by the next one. */
const STALE_STAGING_MS = 86_400_000;

/**
 * Reads, checks and normalises a roster's face photos one at a time (issue 11) into the
 * staging table, so that a roster of thousands never holds its photos in memory; the
 * import's transaction then moves them into place (saveRoster `staged`). Returns one
 * problem per bad photo; nothing is staged for a bad one (nor anything at all without a
 * database: a dry run only checks). `baseDir` is the CSV file's
 * folder: a photo path resolving outside it (through `..` or a symlink) is refused.
 */
export async function stageFacePhotos(
  db: Db | null,
  refs: FacePhotoRef[],
  o: { importId: string; now: number; baseDir?: string },
): Promise<RowError[]> {
  db?.prepare('DELETE FROM face_photo_staging WHERE staged_at < ?').run(o.now - STALE_STAGING_MS);
  const insert = db?.prepare(
    `INSERT OR REPLACE INTO face_photo_staging(import_id, face_id, resident_id, photo, digest, width, height, staged_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const errors: RowError[] = [];
  const base = o.baseDir ? await realpath(o.baseDir) : null;
  for (const ref of refs) {
    const fail = (reason: string) =>
      errors.push({
        line: ref.line,
        field: ref.field,
        reason: `resident ${ref.residentId}: photo of face ${ref.key} ${reason}`,
      });
    let bytes: Buffer | string;
    if (ref.data) bytes = ref.data;
    else if (ref.file !== undefined && base) bytes = await readContained(base, ref.file);
    else bytes = 'has no bytes (a file path needs the roster file’s folder)';
    // The bytes are not needed past this point: let a large roster's photos go one by one.
    ref.data = undefined;
    if (typeof bytes === 'string') {
      fail(bytes);
      continue;
    }
    const photo = await normalisePhoto(bytes);
    if (typeof photo === 'string') {
      fail(photo);
      continue;
    }
    insert?.run(
      o.importId,
      ref.key,
      ref.residentId,
      photo.jpeg,
      photo.digest,
      photo.width,
      photo.height,
      o.now,
    );
  }
  return errors;
}

/** Drops what an import staged (it failed, or was a dry run). */
export function dropStaged(db: Db, importId: string): void {
  db.prepare('DELETE FROM face_photo_staging WHERE import_id = ?').run(importId);
}

/** Reads a photo file inside `base` (a real path), or says why not. */
async function readContained(base: string, rel: string): Promise<Buffer | string> {
  let real: string;
  try {
    real = await realpath(path.resolve(base, rel));
  } catch (err) {
    return `file ${rel} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  if (!real.startsWith(base + path.sep)) return `file ${rel} is outside the roster file’s folder`;
  const fh = await open(real, 'r').catch((err: NodeJS.ErrnoException) => err.code ?? 'error');
  if (typeof fh === 'string') return `file ${rel} cannot be read (${fh})`;
  try {
    const st = await fh.stat();
    if (!st.isFile()) return `file ${rel} is not a regular file`;
    if (st.size > MAX_PHOTO_BYTES) return `file ${rel} is larger than ${MAX_PHOTO_BYTES >> 20} MiB`;
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** What importRoster reports: the import's counts, or every problem (then nothing changed). */
export type ImportOutcome = { ok: true; stats: ImportStats } | { ok: false; errors: RowError[] };

/**
 * Imports a parsed, valid snapshot with its photos: stages every photo (one at a time),
 * then writes roster and photos in one transaction. A bad photo refuses the whole import,
 * like any bad row. With `dryRun` (or no database) the photos are only checked.
 */
export async function importRoster(
  db: Db | null,
  s: RosterSnapshot,
  o: { mode: ImportMode; now: number; version?: string; baseDir?: string; dryRun?: boolean },
): Promise<ImportOutcome> {
  const refs = s.facePhotos ?? [];
  const target = o.dryRun ? null : db;
  if (refs.length === 0) {
    if (!target) return { ok: true, stats: dryStats(s, 0) };
    return { ok: true, stats: saveRoster(target, s, o.mode, o.now, o.version) };
  }
  const importId = randomBytes(8).toString('hex');
  try {
    const errors = await stageFacePhotos(target, refs, { importId, now: o.now, baseDir: o.baseDir });
    if (errors.length > 0) return { ok: false, errors };
    if (!target) return { ok: true, stats: dryStats(s, refs.length) };
    return { ok: true, stats: saveRoster(target, s, o.mode, o.now, o.version, importId) };
  } finally {
    if (target) dropStaged(target, importId);
  }
}

function dryStats(s: RosterSnapshot, photos: number): ImportStats {
  return {
    households: s.households.length,
    residents: s.residents.length,
    credentials: s.credentials.length,
    templates: s.fingerprintTemplates?.length ?? 0,
    photos,
    movedOut: 0,
    terminated: 0,
    version: '',
  };
}
