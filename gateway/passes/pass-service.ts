import { createHmac, randomBytes } from 'node:crypto';
import { normalizeCardUid } from '../../core/card-uid.js';
import type { PassKind } from '../../core/codes.js';
import { GatewayError } from '../../core/errors.js';
import { hashIdNumber, idNumberProblem, maskIdNumber, maskPhone } from '../../core/id-number.js';
import { newId } from '../../core/ids.js';
import type { NormalisedPhoto } from '../roster/face-photos.js';
import type { Store } from '../store/store.js';
import { blobToEmbedding, decodeEmbedding, embeddingToBlob, type Pass } from './model.js';
import type { PassIndex } from './pass-index.js';

/** What a caller (API, simulator) gives to create a pass. Raw ID numbers live only here. */
export interface PassInput {
  kind: PassKind;
  householdId?: string | null;
  name: string;
  phone?: string;
  idNumber?: string;
  cardUid?: string;
  facePersonId?: string;
  /** Base64 float32 face embedding, as reader protocol v1 carries it. */
  embedding?: string;
  /** Issue a QR code token for the pass. */
  qr?: boolean;
  /**
   * A photo of the holder, already checked and normalised (face-photos.ts): the pass is
   * enrolled on the face terminals of the doors it opens as a temporary person (issue 11).
   */
  photo?: NormalisedPhoto;
  validFrom: number;
  validTo: number;
  note?: string;
  /** Id chosen by the caller (the simulator, so its files can revoke); generated otherwise. */
  id?: string;
}

/** Told of every new pass, inside the transaction that stores it. */
export type PassListener = (p: Pass, now: number) => void;

/** Told after a pass was created or revoked (committed); `photo`: the pass has a face photo. */
export type PassChangeListener = (p: Pass, photo: boolean) => void;

const INSERT = `INSERT INTO passes(id, kind, household_id, name, phone_masked, phone_hash, id_hash, id_masked, card_uid,
                    face_person_id, embedding, token, valid_from, valid_to, created_by, created_at, note)
  VALUES (@id, @kind, @householdId, @name, @phoneMasked, @phoneHash, @idHash, @idMasked, @cardUid,
          @facePersonId, @blob, @token, @validFrom, @validTo, @createdBy, @createdAt, @note)`;

const bad = (message: string) => new GatewayError('BAD_INPUT', message);

/**
 * Creates, revokes and reads passes: SQLite is the record, the PassIndex what the pipeline
 * matches against. A pass never stores an ID number or phone in clear: a keyed hash
 * (for matching, and for "the same visitor again") and a masked form (for display).
 */
export class PassService {
  readonly #store: Store;
  readonly #index: PassIndex;
  readonly #key: () => string;
  readonly #maxMs: number;
  readonly #listeners: ReadonlyArray<PassListener>;
  readonly #watchers: PassChangeListener[] = [];

  /**
   * `idHashKey` is read when a pass is created (the secrets are loaded by a start step);
   * `onCreated` are called inside the creating transaction (the sublet detector counts repeats).
   */
  constructor(
    store: Store,
    index: PassIndex,
    idHashKey: () => string,
    maxValidityDays: number,
    onCreated: ReadonlyArray<PassListener> = [],
  ) {
    this.#store = store;
    this.#index = index;
    this.#key = idHashKey;
    this.#maxMs = maxValidityDays * 86_400_000;
    this.#listeners = onCreated;
  }

  /** Tells `f` of every pass created or revoked from now on (the face terminals' sync). */
  watch(f: PassChangeListener): void {
    this.#watchers.push(f);
  }

  /** Loads the passes still of use at `now` into the index (start-up). */
  load(now: number): number {
    const rows = this.#store
      .statement('SELECT * FROM passes WHERE valid_to >= ? AND (revoked_at IS NULL OR revoked_at >= ?)')
      .all(now - 2 * 86_400_000, now - 2 * 86_400_000) as Array<Record<string, unknown>>;
    for (const r of rows) this.#index.put(fromRow(r));
    return rows.length;
  }

  /** Validates and stores a pass. Throws GatewayError BAD_INPUT with a message for people. */
  create(input: PassInput, actor: string, now: number): Pass {
    const p = this.#build(input, actor, now);
    const photo = input.photo;
    this.#store.db.transaction(() => {
      if (this.#store.statement('SELECT 1 FROM passes WHERE id = ?').get(p.id))
        throw bad(`pass ${p.id} exists`);
      this.#store.statement(INSERT).run({ ...p, blob: p.embedding ? embeddingToBlob(p.embedding) : null });
      if (photo)
        this.#store
          .statement(
            'INSERT INTO pass_photos(pass_id, photo, digest, width, height, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .run(p.id, photo.jpeg, photo.digest, photo.width, photo.height, now);
      for (const f of this.#listeners) f(p, now);
    })();
    this.#index.put(p);
    this.#index.prune(now);
    for (const f of this.#watchers) f(p, photo !== undefined);
    return p;
  }

  /** Revokes a pass from `at` (default now). Returns it, or null when there is no such pass. */
  revoke(id: string, actor: string, now: number, at = now): Pass | null {
    const row = this.#store.statement('SELECT * FROM passes WHERE id = ?').get(id) as
      | Record<string, unknown>
      | undefined;
    if (!row) return null;
    if (row.revoked_at !== null) throw new GatewayError('CONFLICT', `pass ${id} is already revoked`);
    this.#store.statement('UPDATE passes SET revoked_at = ?, revoked_by = ? WHERE id = ?').run(at, actor, id);
    const p = { ...fromRow(row), revokedAt: at };
    this.#index.put(p);
    const photo = this.#store.statement('SELECT 1 FROM pass_photos WHERE pass_id = ?').get(id) !== undefined;
    for (const f of this.#watchers) f(p, photo);
    return p;
  }

  /** One pass as stored, or null. */
  get(id: string): Pass | null {
    const row = this.#store.statement('SELECT * FROM passes WHERE id = ?').get(id) as
      | Record<string, unknown>
      | undefined;
    return row ? fromRow(row) : null;
  }

  /** Passes valid at `at` (or every pass when at is undefined), newest first. */
  list(f: { householdId?: string; at?: number }, limit: number): Pass[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.householdId) {
      where.push('household_id = ?');
      params.push(f.householdId);
    }
    if (f.at !== undefined) {
      where.push('valid_from <= ? AND valid_to >= ? AND (revoked_at IS NULL OR revoked_at > ?)');
      params.push(f.at, f.at, f.at);
    }
    const sql = `SELECT * FROM passes${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`;
    return (this.#store.db.prepare(sql).all(...params, limit) as Array<Record<string, unknown>>).map(fromRow);
  }

  /** Clears face embeddings and photos of passes that ended (face data is not kept past its use). */
  forgetFaces(now: number): number {
    const photos = this.#store
      .statement(
        `DELETE FROM pass_photos WHERE pass_id IN
           (SELECT id FROM passes WHERE valid_to < ? OR revoked_at < ?)`,
      )
      .run(now, now).changes;
    return (
      photos +
      this.#store
        .statement(
          'UPDATE passes SET embedding = NULL WHERE embedding IS NOT NULL AND (valid_to < ? OR revoked_at < ?)',
        )
        .run(now, now).changes
    );
  }

  #build(i: PassInput, actor: string, now: number): Pass {
    if (!(i.validTo > i.validFrom)) throw bad('validTo must be after validFrom');
    if (i.validTo - i.validFrom > this.#maxMs)
      throw bad(`a pass may be valid for at most ${this.#maxMs / 86_400_000} days`);
    if (i.kind === 'visitor' && !i.householdId) throw bad('a visitor pass needs the householdId visited');
    if (i.householdId && !this.#store.statement('SELECT 1 FROM households WHERE id = ?').get(i.householdId))
      throw bad(`no household ${i.householdId}`);
    if (i.idNumber !== undefined && idNumberProblem(i.idNumber))
      throw bad(`idNumber is not a valid resident ID number (${idNumberProblem(i.idNumber)})`);
    const card = i.cardUid === undefined ? null : normalizeCardUid(i.cardUid);
    if (i.cardUid !== undefined && !card) throw bad('cardUid must be 4–32 hex digits');
    let embedding: Float32Array | null = null;
    if (i.embedding !== undefined) {
      const e = decodeEmbedding(i.embedding);
      if (typeof e === 'string') throw bad(e);
      embedding = e;
    }
    const phone = i.phone?.replace(/\D/g, '') ?? '';
    if (i.phone !== undefined && !/^\d{7,15}$/.test(phone)) throw bad('phone must have 7–15 digits');
    if (!i.idNumber && !phone && !card && !embedding && !i.facePersonId && !i.qr && !i.photo)
      throw bad(
        'a pass needs a way to recognise its holder: idNumber, phone with qr, cardUid, embedding, facePersonId or photo',
      );
    const id = i.id ?? newId('ps', now);
    return {
      id,
      kind: i.kind,
      householdId: i.householdId ?? null,
      name: i.name,
      phoneMasked: phone ? maskPhone(phone) : null,
      phoneHash: phone
        ? createHmac('sha256', Buffer.from(this.#key(), 'hex')).update(`phone:${phone}`).digest('hex')
        : null,
      idHash: i.idNumber ? hashIdNumber(this.#key(), i.idNumber) : null,
      idMasked: i.idNumber ? maskIdNumber(i.idNumber) : null,
      cardUid: card,
      // A pass with a photo is a person on the face terminals: V-<pass id> unless one is given.
      facePersonId: i.facePersonId ?? (i.photo ? `V-${id}` : null),
      embedding,
      token: i.qr ? randomBytes(12).toString('base64url') : null,
      validFrom: i.validFrom,
      validTo: i.validTo,
      revokedAt: null,
      createdBy: actor,
      createdAt: now,
      note: i.note ?? null,
    };
  }
}

/** A passes row as a Pass. */
export function fromRow(r: Record<string, unknown>): Pass {
  const s = (k: string) => (r[k] as string | null) ?? null;
  return {
    id: r.id as string,
    kind: r.kind as PassKind,
    householdId: s('household_id'),
    name: r.name as string,
    phoneMasked: s('phone_masked'),
    phoneHash: s('phone_hash'),
    idHash: s('id_hash'),
    idMasked: s('id_masked'),
    cardUid: s('card_uid'),
    facePersonId: s('face_person_id'),
    embedding: r.embedding ? blobToEmbedding(r.embedding as Buffer) : null,
    token: s('token'),
    validFrom: r.valid_from as number,
    validTo: r.valid_to as number,
    revokedAt: (r.revoked_at as number | null) ?? null,
    createdBy: r.created_by as string,
    createdAt: r.created_at as number,
    note: s('note'),
  };
}
