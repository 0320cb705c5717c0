/**
 * The act stage: the door command, as soon as a read's rows are written in its commit's
 * transaction (before the fsync: answersBeforeSync), or after the commit for a door whose
 * store-failure policy could change the answer; then, after the commit, the read
 * counters, the thumbnail, the live view. When the journal cannot commit, the door
 * command alone (a resident must not stand in the rain because the SD card is full;
 * issue 12: once, by the door's policy). Offline replays and stale live reads carry
 * no answer (decide, design.md §5), and no answer leaves once the read is older than
 * checks.staleAfterMs, however it got delayed: an unlock nobody waits for is a hazard.
 */
import type { Clock } from '../../core/clock.js';
import { label } from '../../core/codes.js';
import type { CredentialRead, DoorCommand } from '../../core/contracts.js';
import type { EntryView, LiveBus } from '../live-bus.js';
import type { HotSlot, Metrics } from '../metrics.js';
import type { Checked } from './check.js';
import { PROMPT_REASONS } from './reasons.js';
import type { Raised } from './record.js';
import type { Thumbnailer } from './thumbnails.js';

/** Sends a door command through the reader's driver. */
export type SendCommand = (readerId: string, cmd: DoorCommand) => void;

/** Snapshots of the doors' cameras (issue 13), taken after the answer. */
export interface ReadCaptures {
  read(c: Checked): void;
}

/** What the act stage is built from. */
export interface ActDeps {
  command: SendCommand;
  metrics: Metrics;
  clock: Clock;
  live: LiveBus;
  thumbnails: Thumbnailer;
  /** The doors' cameras; without it, reads without an image have no thumbnail. */
  captures?: ReadCaptures;
  /** checks.staleAfterMs: no door command leaves for a read older than this. */
  staleAfterMs: number;
}

/** The act stage of one pipeline. */
export class Act {
  readonly #d: ActDeps;
  /** Per credential type, the reads counter's slots by outcome and mode (see #readSlot). */
  readonly #reads = new Map<string, HotSlot[]>();
  readonly #unlocks: HotSlot;
  readonly #denies: HotSlot;

  constructor(deps: ActDeps) {
    this.#d = deps;
    this.#unlocks = deps.metrics.commandCounts.slot('unlock');
    this.#denies = deps.metrics.commandCounts.slot('deny');
  }

  /** The reads counter's slot of a read: no label string is built per read (issue 15). */
  #readSlot(outcome: 'granted' | 'denied', type: string, mode: 'live' | 'stale' | 'offline'): HotSlot {
    let row = this.#reads.get(type);
    if (row === undefined) {
      row = [];
      this.#reads.set(type, row);
    }
    const i = (outcome === 'granted' ? 0 : 3) + (mode === 'live' ? 0 : mode === 'stale' ? 1 : 2);
    let s = row[i];
    if (s === undefined) {
      s = this.#d.metrics.readCounts.slot(outcome, type, mode);
      row[i] = s;
    }
    return s;
  }

  /**
   * A read is in the journal: answer its door (unless `answered` already: in its commit's
   * transaction, or without a commit), count it, queue its thumbnail (none when `image` is undefined, e.g. while
   * shutting down), show it live.
   */
  recorded(c: Checked, image: CredentialRead['image'], answered = false): void {
    const live = this.#d.live;
    const n = c.read;
    if (!answered) this.answer(c);
    const outcome = c.decision.outcome;
    const mode = n.offline ? 'offline' : n.stale ? 'stale' : 'live';
    this.#readSlot(outcome, n.type, mode).n++;
    if (image && c.thumb) this.#d.thumbnails.enqueue(c.thumb, image.data);
    else if (c.camera) this.#d.captures?.read(c);
    if (live.listenerCount('entry') > 0) live.emit('entry', entryView(c));
  }

  /** Shows a commit's new and updated alerts live and counts the new ones. */
  announce(raised: readonly Raised[]): void {
    for (const [a, isNew] of raised) {
      if (a.id === '') continue; // an update of a situation whose case is closed
      if (isNew) this.#d.metrics.alerts.inc({ kind: a.kind });
      this.#d.live.emit('alert', a, isNew);
    }
  }

  /**
   * Answers the reader (terminals show the message), and on unlock pulses the door's own
   * lock when it has one: a door whose readers have no relay (serial readers) opens too.
   * Does nothing for a read that needs no answer, or that has gone stale since: false
   * when nothing was sent.
   */
  answer(c: Checked): boolean {
    const { read: n, decision: d, door } = c;
    if (d.answer === null) return false;
    const now = this.#d.clock.now();
    // Judged fresh on arrival, but a slow commit or a failing disk may have kept it since.
    if (now - n.ts > this.#d.staleAfterMs) {
      this.#d.metrics.lateAnswersWithheld.inc();
      return false;
    }
    const send = this.#d.command;
    const unlock = d.answer === 'unlock';
    // On a deny, a reason that tells the person what to do next beats the door's message.
    const prompt = unlock ? undefined : PROMPT_REASONS.find((r) => d.reasons.includes(r));
    send(n.readerId, {
      id: `c-${n.recordId}`,
      event: n.recordId,
      action: unlock ? 'unlock' : 'deny',
      durationMs: unlock ? door.unlockMs : undefined,
      message: unlock ? door.welcome : prompt ? label('reason', prompt) : door.denyMessage,
    });
    if (unlock && door.lock && door.lock !== n.readerId)
      send(door.lock, {
        id: `c-${n.recordId}-lock`,
        event: n.recordId,
        action: 'unlock',
        durationMs: door.unlockMs,
      });
    if (unlock) this.#unlocks.n++;
    else this.#denies.n++;
    this.#d.metrics.answerSeconds.observe((now - n.receivedAt) / 1000);
    return true;
  }
}

/** A recorded entry as the live view (dashboard SSE) shows it. */
export function entryView(c: Checked): EntryView {
  const { read: n, decision: d, resolution: res } = c;
  return {
    seq: c.seq,
    ts: n.ts,
    readerId: n.readerId,
    doorId: n.doorId,
    direction: n.direction,
    type: n.type,
    outcome: d.outcome,
    answer: d.answer,
    reasons: d.reasons,
    residentId: res.resident?.id ?? null,
    householdId: res.household?.id ?? null,
    thumb: c.thumb,
    offline: n.offline,
    stale: n.stale,
    schedule: d.schedule,
  };
}
