import type { Db } from '../store/db.js';
import { EVIDENCE_ID } from './evidence-files.js';

/** One uploaded file as the hand-over package refers to it. */
export interface EvidenceReference {
  /** `evidence:{id}`: the file's id, the only name it has (no path). */
  ref: string;
  id: string;
  kind: string;
  /** What the file documents: patrol, visit (full inspection) or feedback. */
  of: string | null;
  mime: string;
  bytes: number;
  width: number | null;
  height: number | null;
  /** SHA-256 of the stored file: the enforcement office can check the copy it is given. */
  sha256: string;
  uploadedBy: string;
  uploadedAt: string;
}

const MIME: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', pdf: 'application/pdf' };

/**
 * The uploaded photos and documents of a case (issue 16), for its hand-over package: by
 * reference — id and checksum, read from the evidence table by the case id, never from text
 * in the case — so the package names no path and carries no image. Rows whose id is not of
 * the evidence form are left out rather than referred to.
 */
export function evidenceReferences(db: Db, caseId: string): EvidenceReference[] {
  const rows = db
    .prepare(
      `SELECT id, kind, ext, owner_kind AS ownerKind, bytes, width, height, sha256, created_by AS createdBy,
              created_at AS createdAt
         FROM evidence_files WHERE case_id = ? ORDER BY id`,
    )
    .all(caseId) as Array<{
    id: string;
    kind: string;
    ext: string;
    ownerKind: string | null;
    bytes: number;
    width: number | null;
    height: number | null;
    sha256: string;
    createdBy: string;
    createdAt: number;
  }>;
  return rows
    .filter((r) => EVIDENCE_ID.test(r.id) && r.ext in MIME)
    .map((r) => ({
      ref: `evidence:${r.id}`,
      id: r.id,
      kind: r.kind,
      of: r.ownerKind,
      mime: MIME[r.ext] as string,
      bytes: r.bytes,
      width: r.width,
      height: r.height,
      sha256: r.sha256,
      uploadedBy: r.createdBy,
      uploadedAt: new Date(r.createdAt).toISOString(),
    }));
}
