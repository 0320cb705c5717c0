/**
 * Door schedules (issue 13), pure: which window of a door's schedule covers a moment, on
 * the estate's calendar of working days, rest days and public holidays. Shanghai follows
 * the State Council's yearly holiday notice, including the weekend days worked instead
 * (调休), so a Saturday may be a workday and a Thursday a holiday. Local time is UTC+8
 * (core/time.ts): no time zone database, no daylight saving.
 */
import { DAY_MS, LOCAL_OFFSET_MS, localDate } from '../../core/time.js';
import {
  type CalendarConfig,
  DAY_NAMES,
  type ScheduleConfig,
  type ScheduleWindow,
} from '../config/schema-doors.js';

/** Days a holiday range may span: a typo of a year must not build a set of 365,000 days. */
const MAX_RANGE_DAYS = 60;

/** The calendar as sets of local dates. */
export interface Calendar {
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
}

/** Expands the configured holidays (days and ranges) and makeup workdays. */
export function compileCalendar(c: CalendarConfig): Calendar {
  const holidays = new Set<string>();
  for (const h of c.holidays) {
    if (typeof h === 'string') {
      holidays.add(h);
      continue;
    }
    const from = Date.parse(`${h.from}T00:00:00Z`);
    const to = Date.parse(`${h.to}T00:00:00Z`);
    for (let t = from, n = 0; t <= to && n < MAX_RANGE_DAYS; t += DAY_MS, n++)
      holidays.add(new Date(t).toISOString().slice(0, 10));
  }
  return { holidays, workdays: new Set(c.workdays) };
}

/** What a local date is: its weekday and whether it is worked. */
export interface DayKind {
  date: string;
  /** mon…sun */
  weekday: (typeof DAY_NAMES)[number];
  holiday: boolean;
  /** A working day: Mon–Fri that is no holiday, or a weekend day worked instead (调休). */
  workday: boolean;
}

/** The kind of a local date (YYYY-MM-DD). */
export function dayKind(date: string, cal: Calendar): DayKind {
  // 1970-01-01 was a Thursday: index 3 of mon…sun.
  const days = Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
  const weekday = DAY_NAMES[(((days + 3) % 7) + 7) % 7] as DayKind['weekday'];
  const holiday = cal.holidays.has(date);
  const weekend = weekday === 'sat' || weekday === 'sun';
  const workday = !holiday && (cal.workdays.has(date) || !weekend);
  return { date, weekday, holiday, workday };
}

/** Whether a window's `days` include a day. */
function coversDay(w: ScheduleWindow, d: DayKind): boolean {
  return w.days.some((x) =>
    x === 'workday'
      ? d.workday
      : x === 'restday'
        ? !d.workday
        : x === 'holiday'
          ? d.holiday
          : x === d.weekday,
  );
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The schedule in force at a moment: which schedule, its window, and what it does. */
export interface ScheduleAt {
  scheduleId: string;
  /** Index of the window in the schedule's list. */
  window: number;
  mode: ScheduleWindow['mode'];
}

/**
 * The first window of `s` covering instant `ts`, or null. A window starts on the days it
 * names; one whose `to` is not after its `from` runs past midnight, so its early hours
 * belong to the day before (a night window of Friday covers Saturday 02:00).
 */
export function scheduleAt(s: ScheduleConfig, cal: Calendar, ts: number): ScheduleAt | null {
  const date = localDate(ts);
  const minute = Math.floor(((((ts + LOCAL_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS) / 60_000);
  const today = dayKind(date, cal);
  let yesterday: DayKind | null = null;
  for (const [i, w] of s.windows.entries()) {
    const from = minutes(w.from);
    const to = minutes(w.to);
    let covered: boolean;
    if (from < to) covered = minute >= from && minute < to && coversDay(w, today);
    else {
      yesterday ??= dayKind(localDate(ts - DAY_MS), cal);
      covered = (minute >= from && coversDay(w, today)) || (minute < to && coversDay(w, yesterday));
    }
    if (covered) return { scheduleId: s.id, window: i, mode: w.mode };
  }
  return null;
}

/** Every door's schedule, compiled once: the check stage and the passage control ask it. */
export class DoorSchedules {
  readonly #byDoor = new Map<string, ScheduleConfig>();
  readonly #calendar: Calendar;

  constructor(
    doors: ReadonlyArray<{ id: string; schedule?: string | undefined }>,
    schedules: readonly ScheduleConfig[],
    calendar: CalendarConfig,
  ) {
    const byId = new Map(schedules.map((s) => [s.id, s]));
    for (const d of doors) {
      const s = d.schedule === undefined ? undefined : byId.get(d.schedule);
      if (s) this.#byDoor.set(d.id, s);
    }
    this.#calendar = compileCalendar(calendar);
  }

  /** Doors that have a schedule. */
  get doorIds(): string[] {
    return [...this.#byDoor.keys()];
  }

  /** The schedule window in force at a door at `ts`, or null (none, or outside every window). */
  at(doorId: string, ts: number): ScheduleAt | null {
    const s = this.#byDoor.get(doorId);
    return s ? scheduleAt(s, this.#calendar, ts) : null;
  }

  /** The kind of a local date on this calendar. */
  day(date: string): DayKind {
    return dayKind(date, this.#calendar);
  }
}

/** How a decision records the schedule that applied: `{id}:{mode}`, e.g. `gate-day:passage`. */
export function scheduleLabel(s: ScheduleAt | null): string | null {
  return s ? `${s.scheduleId}:${s.mode}` : null;
}
