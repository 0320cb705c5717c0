import { DAY_MS, dayOf, iso } from '../../core/time.js';
import type { AlertCandidate } from '../alerts/per-entry.js';
import type { Config } from '../config/schema.js';
import type { EntryContext } from '../pipeline/detector.js';
import { personLabel } from './evidence.js';
import type { DetectorState } from './state.js';

/** Appends to a list kept to its last `max` items. */
function pushCapped<T>(rec: Record<string, T[]>, key: string, v: T, max: number): void {
  const l = rec[key] ?? [];
  l.push(v);
  if (l.length > max) l.splice(0, l.length - max);
  rec[key] = l;
}

/**
 * stranger_recurrent (issue 4): the same unregistered person — a face cluster, the
 * terminal's stranger id, an unregistered card UID or ID-number hash — entering at one
 * door `count` times within `days`, as NVR "frequency alarms" do. Reported once for the
 * ongoing situation, updated at most daily, cleared when the person stops coming.
 */
export function onStranger(
  cfg: Config['detectors']['strangerRecurrent'],
  state: DetectorState,
  person: string,
  e: EntryContext,
  out: AlertCandidate[],
): void {
  const n = e.read;
  if (n.direction !== 'in') return;
  const door = n.doorId;
  let s = state.strangers.get(person);
  if (!s) {
    s = { doors: {}, seqs: {}, thumbs: {}, fired: {}, last: n.ts };
    state.strangers.set(person, s);
  }
  s.last = Math.max(s.last, n.ts);
  const day = dayOf(n.ts);
  s.f = Math.min(s.f ?? day, day);
  const ed = s.ed?.[door] ?? [];
  if (!ed.includes(day)) s.ed = { ...s.ed, [door]: [...ed.filter((d) => d > day - 31), day] };
  const from = n.ts - cfg.days * DAY_MS;
  s.doors[door] = (s.doors[door] ?? []).filter((x) => x >= from);
  pushCapped(s.doors, door, n.ts, cfg.count * 3);
  const list = s.doors[door] as number[];
  pushCapped(s.seqs, door, e.seq, 9);
  if (e.thumb) pushCapped(s.thumbs, door, e.thumb, 4);
  state.touch(`s:${person}`);
  if (list.length < cfg.count) return;
  const fired = s.fired[door];
  if (fired !== undefined && fired >= day) return;
  s.fired[door] = day;
  out.push({
    kind: 'stranger_recurrent',
    subject: `stranger:${person}:${door}`,
    householdId: null,
    residentId: null,
    doorId: door,
    readerId: n.readerId,
    ts: n.ts,
    finding: {
      phase: fired === undefined ? 'open' : 'update',
      patternTs: list[0] as number,
      summary: `${personLabel(person)} ${cfg.days} 天内在本门出现 ${list.length} 次`,
      buildingId: e.door.building ?? null,
      chain: {
        person: personLabel(person),
        door,
        sightings: list.length,
        windowDays: cfg.days,
        first: iso(list[0]),
        last: iso(n.ts),
        entries: s.seqs[door],
        thumbs: s.thumbs[door] ?? [],
      },
      attachEntry: true,
    },
  });
}

/** Daily: forgets sightings out of the window and people who stopped coming; caps the map. */
export function sweepStrangers(
  cfg: Config['detectors']['strangerRecurrent'],
  state: DetectorState,
  clock: number,
  max: number,
): void {
  const from = clock - cfg.days * DAY_MS;
  for (const [person, s] of state.strangers) {
    let any = false;
    for (const door of Object.keys(s.doors)) {
      const l = (s.doors[door] as number[]).filter((x) => x >= from);
      if (l.length === 0) {
        delete s.doors[door];
        delete s.fired[door];
        delete s.seqs[door];
        delete s.thumbs[door];
      } else {
        s.doors[door] = l;
        any = true;
      }
    }
    const today = Math.floor((clock + 8 * 3600_000) / DAY_MS);
    for (const door of Object.keys(s.ed ?? {})) {
      const d = (s.ed?.[door] ?? []).filter((x) => x > today - 31);
      if (s.ed) {
        if (d.length === 0) delete s.ed[door];
        else s.ed[door] = d;
      }
    }
    if (!any) state.strangers.delete(person);
    state.touch(`s:${person}`);
  }
  if (state.strangers.size > max) {
    const old = [...state.strangers]
      .sort((a, b) => a[1].last - b[1].last)
      .slice(0, state.strangers.size - max);
    for (const [person] of old) {
      state.strangers.delete(person);
      state.touch(`s:${person}`);
    }
  }
}
