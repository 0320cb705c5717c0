import type { ResidentRef } from '../roster/roster-index.js';

/** A face read at a reader, as the pairing keeps it for a few seconds. */
export interface FaceMoment {
  ts: number;
  seq: number;
  thumb: string | null;
  /** r:resident (recognised), p:pass, c:cluster (unregistered), x:terminal stranger id. */
  person: string;
  /** The capture's embedding, for unregistered faces (compared with what a credential has learnt). */
  emb: Float32Array | null;
  cluster: number | null;
  /** An unregistered face taken for a resident (`person` is then r:…) because it was learnt as their card's holder. */
  learnt: boolean;
}

/** A card or fingerprint read of a resident, waiting for the faces around it. */
export interface CredentialMoment {
  ts: number;
  seq: number;
  thumb: string | null;
  readerId: string;
  owner: ResidentRef;
  /** kind:key */
  cred: string;
}

/** A credential read and every face read at its reader within the window around it. */
export interface Judged {
  cred: CredentialMoment;
  /** Faces captured before the swipe (a failed attempt, the approach) and after it. */
  before: FaceMoment[];
  after: FaceMoment[];
}

/** Faces kept per reader at most (a busy entrance within a few seconds). */
const MAX_FACES = 12;
/** A reader that has been quiet this long past a credential's window judges it anyway. */
const QUIET_MS = 60_000;

/**
 * Pairs each card or fingerprint read with the faces its reader captured around it
 * (design.md §4 correlate; issue 10): captures arrive up to several seconds after the
 * swipe, and the face of someone who tried the terminal first comes before it. A
 * credential read is judged once its window has passed at its reader — when a later read
 * arrives there, or when the reader has been quiet for a minute of event time — with all
 * the faces inside the window, so the one that explains it best can be chosen. Memory is
 * bounded by the readers; nothing is persisted (a restart loses the reads of one window).
 */
export class Pairing {
  readonly #faces = new Map<string, FaceMoment[]>();
  readonly #pending = new Map<string, CredentialMoment[]>();
  readonly #beforeMs: number;
  readonly #afterMs: number;

  constructor(beforeMs: number, afterMs: number) {
    this.#beforeMs = beforeMs;
    this.#afterMs = afterMs;
  }

  /** A face read at `readerId`; returns the credential reads whose window has passed there. */
  face(readerId: string, f: FaceMoment): Judged[] {
    const out = this.#due(readerId, f.ts);
    let l = this.#faces.get(readerId);
    if (!l) {
      l = [];
      this.#faces.set(readerId, l);
    }
    l.push(f);
    const keep = f.ts - this.#beforeMs - this.#afterMs - QUIET_MS;
    while (l.length > MAX_FACES || (l[0] && l[0].ts < keep)) l.shift();
    return out;
  }

  /** A credential read; returns the credential reads whose window has passed at its reader. */
  credential(c: CredentialMoment): Judged[] {
    const out = this.#due(c.readerId, c.ts);
    const l = this.#pending.get(c.readerId) ?? [];
    l.push(c);
    this.#pending.set(c.readerId, l);
    return out;
  }

  /** Any other read at `readerId` (an ID card, a pass): time moved on there. */
  tick(readerId: string, ts: number): Judged[] {
    return this.#due(readerId, ts);
  }

  /** Credential reads at readers quiet since before `clock` − their window − a minute. */
  flush(clock: number): Judged[] {
    const out: Judged[] = [];
    for (const readerId of this.#pending.keys()) out.push(...this.#due(readerId, clock - QUIET_MS));
    return out;
  }

  /** Forgets everything (a commit rolled back). */
  clear(): void {
    this.#faces.clear();
    this.#pending.clear();
  }

  #due(readerId: string, now: number): Judged[] {
    const pending = this.#pending.get(readerId);
    if (!pending || pending.length === 0) return [];
    const out: Judged[] = [];
    while (pending.length > 0 && (pending[0] as CredentialMoment).ts + this.#afterMs < now) {
      const c = pending.shift() as CredentialMoment;
      const faces = this.#faces.get(readerId) ?? [];
      out.push({
        cred: c,
        before: faces.filter((f) => f.ts >= c.ts - this.#beforeMs && f.ts < c.ts),
        after: faces.filter((f) => f.ts >= c.ts && f.ts <= c.ts + this.#afterMs),
      });
    }
    if (pending.length === 0) this.#pending.delete(readerId);
    return out;
  }
}
