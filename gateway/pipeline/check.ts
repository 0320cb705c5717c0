/**
 * The check stage of design.md §4: normalize → resolve → correlate → decide, from a
 * driver's read to one `Checked` value that every later stage (journal, record, act)
 * reads. Synchronous and free of I/O: a live read is checked the moment it arrives.
 */
import type { CredentialRead } from '../../core/contracts.js';
import type { Config, DoorConfig, ReaderConfig } from '../config/schema.js';
import { doorHardware } from '../config/schema-doors.js';
import type { DeviceRegistry } from '../devices.js';
import { DoorSchedules } from '../doors/schedule.js';
import type { PassIndex } from '../passes/pass-index.js';
import type { RosterIndex } from '../roster/roster-index.js';
import type { RosterSource } from '../roster/roster-state.js';
import { decide } from './decide.js';
import type { EntryContext } from './detector.js';
import { type NormalizeOptions, type NormalizeResult, normalize } from './normalize.js';
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

/** Whether the check rejected the read. */
export function isRejected(r: Checked | Rejected): r is Rejected {
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
interface Placement {
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
   * Checks one read of a configured reader. Call it once per read: the person–card
   * window remembers every read it has checked, as the other half of a later one.
   */
  check(read: CredentialRead, reader: ReaderConfig): Checked | Rejected {
    const at = this.#placements.get(reader.id) as Placement;
    const offset = this.#d.devices.offset(read.readerId);
    const r = normalize(read, at, offset?.value ?? 0, this.#opts);
    if (!r.ok) return r;
    const n = r.read;
    // Only live reads tell the reader's clock offset: a replay's lag is its time offline.
    if (!n.offline) offset?.fromRead(n.receivedAt, n.readerTs, n.stale);
    const res = resolve(n, this.#d.roster.index, this.#d.passes);
    const presentation = this.#d.personCard.correlate(n, res);
    const sched = this.#schedules.at(n.doorId, n.ts);
    const decision = decide(n, res, at.door, this.#d.config.checks, presentation, sched);
    this.#d.personCard.decided(presentation, n.doorId, decision.reasons);
    const camera = !read.image && at.camera && !n.offline && !n.stale;
    const checked: Checked = {
      seq: 0,
      read: n,
      resolution: res,
      decision,
      door: at.door,
      // A live read at a door with a camera gets the camera's snapshot as its image (issue 13).
      thumb:
        read.image || camera
          ? thumbPath(n.readerId, n.recordId, n.ts, this.#d.config.thumbnails.format)
          : null,
      presentation,
    };
    // Set only when true, as before; no object spread per read (issue 15).
    if (camera) checked.camera = true;
    return checked;
  }
}
