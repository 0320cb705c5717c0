/**
 * The check stage of design.md §4: normalize → resolve → correlate → decide, from a
 * driver's read to one `Checked` value that every later stage (journal, record, act)
 * reads. Synchronous and free of I/O. In two halves (issue 15): `admit` (pure) gives what
 * the read's journal row needs, `finish` takes the side effects and decides; the pipeline
 * runs them inside the read's commit, around the journal's insert, so that a duplicate
 * (which the insert finds) never reaches `finish`.
 */
import type { CredentialRead } from '../../core/contracts.js';
import type { ClockOffset } from '../clock-offset.js';
import type { Config, DoorConfig, ReaderConfig } from '../config/schema.js';
import { doorHardware } from '../config/schema-doors.js';
import type { DeviceRegistry } from '../devices.js';
import { DoorSchedules } from '../doors/schedule.js';
import type { PassIndex } from '../passes/pass-index.js';
import type { RosterIndex } from '../roster/roster-index.js';
import type { RosterSource } from '../roster/roster-state.js';
import { decide } from './decide.js';
import type { EntryContext } from './detector.js';
import { type NormalizedRead, type NormalizeOptions, type NormalizeResult, normalize } from './normalize.js';
import type { PersonCardCheck, Presentation } from './person-card.js';
import { resolve } from './resolve.js';
import { thumbPath } from './thumbnails.js';

/** A read after the check: what it is, who presented it, what the door does about it. */
export interface Checked extends EntryContext {
  /** Its journal seq once recorded; stays 0 when the journal had the read already (a replay). */
  seq: number;
  /** Its half of a person–card presentation; null when it is neither factor or an exit. */
  presentation: Presentation | null;
  /** Its thumbnail is to be the door camera's snapshot (issue 13): a live read without an image. */
  camera?: boolean;
}

/** A read that cannot be checked (its time is too far ahead): rejected, never journaled. */
export type Rejected = Extract<NormalizeResult, { ok: false }>;

/** A read past the check's pure half (`Check.admit`): normalized, its thumbnail named. */
export interface Admitted {
  read: NormalizedRead;
  at: Placement;
  /** The reader's clock-offset tracker, which `finish` teaches. */
  offset: ClockOffset | undefined;
  /** Its thumbnail is to be the door camera's snapshot. */
  camera: boolean;
  thumb: string | null;
}

/** Whether the check rejected the read. */
export function isRejected<T extends object>(r: T | Rejected): r is Rejected {
  return (r as Rejected).ok === false;
}

/** What the check stage is built from. */
export interface CheckDeps {
  config: Config;
  /** The roster's one owner (issue 8): a reload swaps its index for the pipeline and the detectors alike. */
  roster: RosterSource;
  devices: DeviceRegistry;
  personCard: PersonCardCheck;
  idHashKey: string;
  /** Visitor, courier and staff passes (issue 4): a valid pass makes its holder known. */
  passes?: PassIndex;
}

/** Where a reader's reads happen: its door and direction, looked up once per reader. */
export interface Placement {
  doorId: string;
  direction: 'in' | 'out';
  door: DoorConfig;
  /** A camera watches the door (issue 13): a live read's thumbnail is its snapshot. */
  camera: boolean;
}

/** The check stage of one pipeline. */
export class Check {
  readonly #d: CheckDeps;
  readonly #opts: NormalizeOptions;
  readonly #placements = new Map<string, Placement>();
  readonly #schedules: DoorSchedules;

  constructor(deps: CheckDeps) {
    this.#d = deps;
    const { checks, doors, readers } = deps.config;
    this.#schedules = new DoorSchedules(
      doors,
      deps.config.schedules ?? [],
      deps.config.calendar ?? {
        holidays: [],
        workdays: [],
      },
    );
    this.#opts = {
      staleAfterMs: checks.staleAfterMs,
      maxFutureMs: checks.maxFutureMs,
      idHashKey: deps.idHashKey,
    };
    const byId = new Map(doors.map((d) => [d.id, d]));
    // Config validation guarantees every reader's door exists.
    for (const r of readers) {
      const door = byId.get(r.door) as DoorConfig;
      this.#placements.set(r.id, {
        doorId: r.door,
        direction: r.direction,
        door,
        camera: doorHardware(door).camera !== null,
      });
    }
  }

  /** The roster index reads are resolved against now; reads already checked keep theirs. */
  get roster(): RosterIndex {
    return this.#d.roster.index;
  }

  /**
   * Checks one read of a configured reader: admit, then finish. Call it once per read:
   * the person–card window remembers every read it has checked, as the other half of a
   * later one.
   */
  check(read: CredentialRead, reader: ReaderConfig): Checked | Rejected {
    const a = this.admit(read, reader);
    return isRejected(a) ? a : this.finish(a);
  }

  /**
   * The first half of the check, pure: normalizes the read (with the reader's clock offset
   * as it stands) and names its thumbnail — all its journal row needs. Nothing is
   * remembered, so a read that turns out to be a duplicate costs no state (issue 15: the
   * journal's own insert is the dedupe, and `finish` runs only once it says the row is new).
   */
  admit(read: CredentialRead, reader: ReaderConfig): Admitted | Rejected {
    const at = this.#placements.get(reader.id) as Placement;
    const offset = this.#d.devices.offset(read.readerId);
    const r = normalize(read, at, offset?.value ?? 0, this.#opts);
    if (!r.ok) return r;
    const n = r.read;
    const camera = !read.image && at.camera && !n.offline && !n.stale;
    return {
      read: n,
      at,
      offset,
      camera,
      // A live read at a door with a camera gets the camera's snapshot as its image (issue 13).
      thumb:
        read.image || camera
          ? thumbPath(n.readerId, n.recordId, n.ts, this.#d.config.thumbnails.format)
          : null,
    };
  }

  /**
   * The second half: what the read teaches the check (the clock-offset sample, its half of
   * a presentation) and the decision. Call it once per read, in arrival order, after
   * `admit` and before the next read's `admit`.
   */
  finish(a: Admitted): Checked {
    const { read: n, at } = a;
    // Only live reads tell the reader's clock offset: a replay's lag is its time offline.
    if (!n.offline) a.offset?.fromRead(n.receivedAt, n.readerTs, n.stale);
    const res = resolve(n, this.#d.roster.index, this.#d.passes);
    const presentation = this.#d.personCard.correlate(n, res);
    const sched = this.#schedules.at(n.doorId, n.ts);
    const decision = decide(n, res, at.door, this.#d.config.checks, presentation, sched);
    this.#d.personCard.decided(presentation, n.doorId, decision.reasons);
    const checked: Checked = {
      seq: 0,
      read: n,
      resolution: res,
      decision,
      door: at.door,
      thumb: a.thumb,
      presentation,
    };
    // Set only when true, as before; no object spread per read (issue 15).
    if (a.camera) checked.camera = true;
    return checked;
  }
}
