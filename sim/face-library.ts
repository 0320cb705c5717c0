/**
 * The person library a simulated face terminal keeps (issue 11): what the gateway enrolled
 * on it, judged the way terminals judge a photo. Every simulated protocol (v1 `persons`,
 * ZKTeco, mqtt-face) wraps one and answers in its vendor's words; a test scripts refusals
 * (a photo of too low quality, a face too similar to one enrolled, a full library) and
 * awaits changes instead of sleeping.
 */
import { Waiters } from './waiters.js';

/** Why a simulated terminal refuses a person, vendor-neutral; each protocol maps it to its codes. */
export type SimRefusal =
  | 'bad_photo'
  | 'photo_too_small'
  | 'photo_too_large'
  | 'no_face'
  | 'face_quality_low'
  | 'face_too_similar'
  | 'library_full'
  | 'bad_person';

/** One person held. */
export interface SimLibraryPerson {
  id: string;
  name?: string;
  /** Epoch ms, when the protocol carries validity. */
  validFrom?: number | null;
  validTo?: number | null;
  cards: string[];
  temporary: boolean;
  /** Bytes of the photo as received (JPEG). */
  photoBytes: number;
}

/** A change to the library, as waiters see it. */
export interface SimLibraryChange {
  op: 'upsert' | 'remove';
  id: string;
  at: number;
}

/** Options of a simulated library. */
export interface SimFaceLibraryOptions {
  /** Persons it holds at most (library_full past it); default 10,000. */
  capacity?: number;
  /** Smallest and largest photo it accepts, bytes; default 1 KiB and 1 MiB (mqtt-face's limits). */
  minPhotoBytes?: number;
  maxPhotoBytes?: number;
}

/** A face terminal's library of persons. */
export class SimFaceLibrary {
  readonly #o: SimFaceLibraryOptions;
  readonly #persons = new Map<string, SimLibraryPerson>();
  /** Scripted refusals: person id → reason (kept until cleared). */
  readonly #refuse = new Map<string, SimRefusal>();
  readonly #waiters = new Waiters<SimLibraryChange>();
  readonly changes: SimLibraryChange[] = [];

  constructor(o: SimFaceLibraryOptions = {}) {
    this.#o = o;
  }

  /** Makes the terminal refuse `id` for `reason` from now on (null: accept again). */
  refuse(id: string, reason: SimRefusal | null): void {
    if (reason) this.#refuse.set(id, reason);
    else this.#refuse.delete(id);
  }

  /** Writes a person, or says why the terminal refuses them. */
  upsert(p: SimLibraryPerson, photo: Buffer | null): SimRefusal | null {
    if (p.id.length === 0 || p.id.length > 64) return 'bad_person';
    if (photo) {
      if (photo.length < (this.#o.minPhotoBytes ?? 1024)) return 'photo_too_small';
      if (photo.length > (this.#o.maxPhotoBytes ?? 1024 * 1024)) return 'photo_too_large';
      if (!(photo[0] === 0xff && photo[1] === 0xd8 && photo[2] === 0xff)) return 'bad_photo';
    }
    const scripted = this.#refuse.get(p.id);
    if (scripted) return scripted;
    if (!this.#persons.has(p.id) && this.#persons.size >= (this.#o.capacity ?? 10_000)) return 'library_full';
    this.#persons.set(p.id, p);
    this.#changed('upsert', p.id);
    return null;
  }

  /** Deletes a person; false when it was not there. */
  remove(id: string): boolean {
    const had = this.#persons.delete(id);
    if (had) this.#changed('remove', id);
    return had;
  }

  /** Deletes everyone. */
  clear(): void {
    for (const id of [...this.#persons.keys()]) this.remove(id);
  }

  has(id: string): boolean {
    return this.#persons.has(id);
  }

  get(id: string): SimLibraryPerson | undefined {
    return this.#persons.get(id);
  }

  /** Every person id held, sorted. */
  ids(): string[] {
    return [...this.#persons.keys()].sort();
  }

  get size(): number {
    return this.#persons.size;
  }

  /** Resolves with the next change `accept` takes (tests, the demo), or rejects after timeoutMs. */
  expect(
    accept: (c: SimLibraryChange) => boolean,
    timeoutMs = 10_000,
    what = 'a library change',
  ): Promise<SimLibraryChange> {
    return this.#waiters.add(accept, timeoutMs, what);
  }

  /** Resolves once `id` is held (now or later). */
  held(id: string, timeoutMs = 10_000): Promise<void> {
    if (this.has(id)) return Promise.resolve();
    return this.expect((c) => c.op === 'upsert' && c.id === id, timeoutMs, `${id} enrolled`).then(
      () => undefined,
    );
  }

  /** Resolves once `id` is gone (now or later). */
  gone(id: string, timeoutMs = 10_000): Promise<void> {
    if (!this.has(id)) return Promise.resolve();
    return this.expect((c) => c.op === 'remove' && c.id === id, timeoutMs, `${id} deleted`).then(
      () => undefined,
    );
  }

  #changed(op: SimLibraryChange['op'], id: string): void {
    const c = { op, id, at: Date.now() };
    this.changes.push(c);
    if (this.changes.length > 10_000) this.changes.splice(0, this.changes.length - 10_000);
    this.#waiters.seen(c);
  }
}
