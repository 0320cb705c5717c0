import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { GatewayError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Store } from '../store/store.js';
import { checkPdf, encodePhoto, type PhotoOptions, sniff } from './evidence-image.js';

/**
 * Uploaded photos and documents of the ledger (issue 16): patrol and inspection photos,
 * listing screenshots, the enforcement office's documents. Each file is named by its id
 * alone — `evidence/{id}.{ext}` and `evidence/{id}.thumb.jpg` under the data directory — so
 * nothing a request sends can steer a path; the hand-over refers to files by that id.
 */

/** The one form of an evidence file's id (core/ids.ts with the prefix ev). */
export const EVIDENCE_ID = /^ev-[0-9a-hjkmnp-tv-z]{20}$/;

/** What an upload may be: a photo (JPEG, PNG) or a document (PDF). */
export type EvidenceKind = 'photo' | 'document';
/** What a file is evidence of once it is attached. */
export type EvidenceOwner = 'patrol' | 'visit' | 'feedback';

/** A stored file as its row says. */
export interface EvidenceFile {
  id: string;
  kind: EvidenceKind;
  ext: 'jpg' | 'png' | 'pdf';
  width: number | null;
  height: number | null;
  bytes: number;
  sha256: string;
  ownerKind: EvidenceOwner | null;
  ownerId: string | null;
  caseId: string | null;
  createdBy: string;
  createdAt: number;
}

/** Uploads not attached to anything within this long are removed by the sweep. */
export const UNATTACHED_TTL_MS = 24 * 3600_000;

const SELECT = `SELECT id, kind, ext, width, height, bytes, sha256, owner_kind AS ownerKind, owner_id AS ownerId,
  case_id AS caseId, created_by AS createdBy, created_at AS createdAt FROM evidence_files`;

/** Where an evidence file lives; throws BAD_REFERENCE for anything but a well-formed id. */
export function evidencePath(dataDir: string, id: string, ext: string, thumb = false): string {
  if (!EVIDENCE_ID.test(id) || !['jpg', 'png', 'pdf'].includes(ext))
    throw new GatewayError(
      'BAD_REFERENCE',
      `not an evidence file reference: ${JSON.stringify(id).slice(0, 40)}`,
    );
  const dir = path.resolve(dataDir, 'evidence');
  const file = path.join(dir, thumb ? `${id}.thumb.jpg` : `${id}.${ext}`);
  // The id's alphabet has no separator or dot; this holds whatever changes around it.
  if (path.dirname(file) !== dir) throw new GatewayError('BAD_REFERENCE', 'evidence path outside its folder');
  return file;
}

/**
 * The evidence files: ingests an upload (judged by its bytes, photos re-encoded), attaches
 * files to what they document inside the caller's transaction, and sweeps what is past its
 * retention. Statements are prepared on first use: it is built before the store opens.
 */
export class EvidenceFiles {
  readonly #store: Store;
  readonly #dataDir: string;
  readonly #photo: PhotoOptions;
  readonly #log: Logger;
  readonly #counter: Counter<'kind' | 'result'>;
  readonly #concurrent: number;
  #inFlight = 0;

  constructor(
    store: Store,
    dataDir: string,
    photo: PhotoOptions & { concurrent: number },
    log: Logger,
    registry: Registry,
  ) {
    this.#store = store;
    this.#dataDir = dataDir;
    this.#photo = photo;
    this.#concurrent = photo.concurrent;
    this.#log = log;
    this.#counter = new Counter({
      name: 'estate_gateway_evidence_uploads_total',
      help: 'Uploaded photos and documents, by what they were and the result (ok, refused)',
      labelNames: ['kind', 'result'] as const,
      registers: [registry],
    });
  }

  /**
   * Takes one of the upload slots before a body is read, or null when all are taken: taken
   * and given back synchronously, so concurrent requests cannot both see a free slot. The
   * release is idempotent.
   */
  reserve(): (() => void) | null {
    if (this.#inFlight >= this.#concurrent) {
      this.#counter.inc({ kind: 'unknown', result: 'busy' });
      return null;
    }
    this.#inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight--;
    };
  }

  /**
   * Stores an upload as a new, unattached evidence file. Throws GatewayError BAD_IMAGE,
   * BAD_DOCUMENT or BAD_TYPE (counted, logged without any of the file's content).
   */
  async ingest(buf: Buffer, actor: string, now: number): Promise<EvidenceFile> {
    const kind = sniff(buf);
    try {
      if (!kind) throw new GatewayError('BAD_TYPE', 'only JPEG and PNG photos and PDF documents are taken');
      const id = newId('ev', now);
      let file: {
        ext: 'jpg' | 'png' | 'pdf';
        full: Buffer;
        thumb: Buffer | null;
        width: number | null;
        height: number | null;
      };
      if (kind === 'pdf') {
        checkPdf(buf);
        file = { ext: 'pdf', full: buf, thumb: null, width: null, height: null };
      } else file = await encodePhoto(buf, kind, this.#photo);
      const full = evidencePath(this.#dataDir, id, file.ext);
      await mkdir(path.dirname(full), { recursive: true });
      await atomicWrite(full, file.full);
      if (file.thumb) await atomicWrite(evidencePath(this.#dataDir, id, file.ext, true), file.thumb);
      const row: EvidenceFile = {
        id,
        kind: kind === 'pdf' ? 'document' : 'photo',
        ext: file.ext,
        width: file.width,
        height: file.height,
        bytes: file.full.length,
        sha256: createHash('sha256').update(file.full).digest('hex'),
        ownerKind: null,
        ownerId: null,
        caseId: null,
        createdBy: actor,
        createdAt: now,
      };
      this.#store
        .statement(
          `INSERT INTO evidence_files(id, kind, ext, width, height, bytes, sha256, created_by, created_at)
           VALUES (@id, @kind, @ext, @width, @height, @bytes, @sha256, @createdBy, @createdAt)`,
        )
        .run(row);
      this.#counter.inc({ kind: row.kind, result: 'ok' });
      this.#log.info(
        { evidence: id, kind: row.kind, bytes: row.bytes, width: row.width, height: row.height, actor },
        'evidence stored',
      );
      return row;
    } catch (err) {
      this.#counter.inc({ kind: kind ?? 'unknown', result: 'refused' });
      this.#log.warn(
        { code: (err as GatewayError).code, problem: (err as Error).message, bytes: buf.length, actor },
        'upload refused',
      );
      throw err;
    }
  }

  /** One file's row, or undefined (also for a malformed id). */
  get(id: string): EvidenceFile | undefined {
    if (!EVIDENCE_ID.test(id)) return undefined;
    return this.#store.statement(`${SELECT} WHERE id = ?`).get(id) as EvidenceFile | undefined;
  }

  /** The files attached to one thing, oldest first. */
  of(owner: EvidenceOwner, ownerId: string): EvidenceFile[] {
    return this.#store
      .statement(`${SELECT} WHERE owner_kind = ? AND owner_id = ? ORDER BY id`)
      .all(owner, ownerId) as EvidenceFile[];
  }

  /** Where a file (or its thumbnail) is on disk. */
  path(f: Pick<EvidenceFile, 'id' | 'ext'>, thumb = false): string {
    return evidencePath(this.#dataDir, f.id, f.ext, thumb);
  }

  /**
   * Attaches uploads to what they document (run it inside the transaction that writes
   * that). Each must exist, be the uploader's own, unattached, and of an allowed kind.
   * Throws GatewayError BAD_EVIDENCE naming the file.
   */
  attach(
    ids: readonly string[],
    to: { kind: EvidenceOwner; id: string; caseId: string | null },
    actor: string,
    allowed: readonly EvidenceKind[],
    now: number,
  ): void {
    for (const id of ids) {
      const f = this.get(id);
      if (!f) throw new GatewayError('BAD_EVIDENCE', `no uploaded file ${id}`);
      if (f.ownerKind)
        throw new GatewayError('BAD_EVIDENCE', `${id} is already evidence of ${f.ownerKind} ${f.ownerId}`);
      if (f.createdBy !== actor)
        throw new GatewayError('BAD_EVIDENCE', `${id} was uploaded by another account`);
      if (!allowed.includes(f.kind))
        throw new GatewayError('BAD_EVIDENCE', `${id} is a ${f.kind}, not a ${allowed.join(' or ')}`);
      this.#store
        .statement(
          'UPDATE evidence_files SET owner_kind = ?, owner_id = ?, case_id = ?, attached_at = ? WHERE id = ? AND owner_kind IS NULL',
        )
        .run(to.kind, to.id, to.caseId, now, id);
    }
  }

  /** Marks the files of one thing as evidence of a case (a listing tied to a household later). */
  linkCase(owner: EvidenceOwner, ownerId: string, caseId: string): void {
    this.#store
      .statement(
        'UPDATE evidence_files SET case_id = ? WHERE owner_kind = ? AND owner_id = ? AND case_id IS NULL',
      )
      .run(caseId, owner, ownerId);
  }

  /**
   * Removes what is past its retention: uploads never attached (a day), files of a case
   * closed more than `days` ago, files of no case uploaded more than `days` ago. Files of
   * cases still open stay. Returns how many files were removed.
   */
  async sweep(days: number, now: number): Promise<number> {
    const cutoff = now - days * 86_400_000;
    const due = this.#store
      .statement(
        `SELECT f.id, f.ext FROM evidence_files f LEFT JOIN cases c ON c.id = f.case_id
          WHERE (f.owner_kind IS NULL AND f.created_at < @stale)
             OR (f.owner_kind IS NOT NULL AND f.case_id IS NULL AND f.created_at < @cutoff)
             OR (c.state = 'closed' AND c.updated_at < @cutoff)
             OR (f.case_id IS NOT NULL AND c.id IS NULL AND f.created_at < @cutoff)
          LIMIT 1000`,
      )
      .all({ stale: now - UNATTACHED_TTL_MS, cutoff }) as Array<Pick<EvidenceFile, 'id' | 'ext'>>;
    for (const f of due) {
      await rm(this.path(f), { force: true });
      await rm(this.path(f, true), { force: true });
      this.#store.statement('DELETE FROM evidence_files WHERE id = ?').run(f.id);
    }
    if (due.length) this.#log.info({ files: due.length }, 'evidence files past retention removed');
    return due.length;
  }
}

async function atomicWrite(file: string, data: Buffer): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, data, { mode: 0o640 });
  await rename(tmp, file);
}
