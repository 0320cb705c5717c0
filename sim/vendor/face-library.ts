/**
 * The person list a simulated face terminal keeps (the library the gateway provisions):
 * persons with validity, cards and one face each, and the judgement of an enrolled photo
 * that stands in for the terminal's face modelling. The judgement is by the JPEG's
 * frame size and byte size, so tests can make each vendor error on purpose with an image
 * of the right size.
 */

/** One person on the terminal. */
export interface SimLibraryPerson {
  id: string;
  name: string;
  validFrom: string | null;
  validTo: string | null;
  cards: Set<string>;
  face: Buffer | null;
}

/** What the terminal's modelling made of a photo. */
export type PhotoVerdict = 'ok' | 'not_jpeg' | 'too_large' | 'no_face' | 'low_quality';

/** Smallest side with a detectable face, and with one good enough to enrol, px. */
export const NO_FACE_BELOW = 64;
export const LOW_QUALITY_BELOW = 160;

/** Width and height from a JPEG's SOF header, or null when the bytes are no JPEG. */
export function jpegSize(b: Buffer): { width: number; height: number } | null {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return null;
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1] as number;
    const len = b.readUInt16BE(i + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    i += 2 + len;
  }
  return null;
}

/** Judges an enrolment photo as the terminal would. */
export function judgePhoto(jpeg: Buffer, maxBytes: number): PhotoVerdict {
  const size = jpegSize(jpeg);
  if (!size) return 'not_jpeg';
  if (jpeg.length > maxBytes) return 'too_large';
  const side = Math.min(size.width, size.height);
  if (side < NO_FACE_BELOW) return 'no_face';
  if (side < LOW_QUALITY_BELOW) return 'low_quality';
  return 'ok';
}

/** The terminal's persons by id, with a capacity for faces. */
export class SimFaceLibrary {
  readonly persons = new Map<string, SimLibraryPerson>();
  readonly faceCapacity: number;

  constructor(faceCapacity = 10_000) {
    this.faceCapacity = faceCapacity;
  }

  /** Faces enrolled. */
  get faces(): number {
    let n = 0;
    for (const p of this.persons.values()) if (p.face) n++;
    return n;
  }

  /** The person holding a card number, if any. */
  cardOwner(cardNo: string): SimLibraryPerson | undefined {
    for (const p of this.persons.values()) if (p.cards.has(cardNo)) return p;
    return undefined;
  }

  /** Adds or replaces a person, keeping their cards and face. */
  upsert(
    id: string,
    fields: { name: string; validFrom: string | null; validTo: string | null },
  ): SimLibraryPerson {
    const old = this.persons.get(id);
    const p: SimLibraryPerson = { id, ...fields, cards: old?.cards ?? new Set(), face: old?.face ?? null };
    this.persons.set(id, p);
    return p;
  }

  /** Enrols persons directly (an estate whose terminals were filled by hand before the gateway). */
  preload(
    people: ReadonlyArray<{ id: string; name?: string; cards?: readonly string[]; face?: Buffer }>,
  ): void {
    for (const x of people) {
      const p = this.upsert(x.id, { name: x.name ?? x.id, validFrom: null, validTo: null });
      for (const c of x.cards ?? []) p.cards.add(c);
      p.face = x.face ?? p.face;
    }
  }
}
