import { type Static, Type as T } from '@sinclair/typebox';

/**
 * Configuration of door hardware, schedules and cameras (issue 13), beside schema.ts which
 * includes these sections: the door fields (contact, held open, fire, schedule, camera), the
 * schedules with their passage windows, the holiday calendar, remote unlock limits and the
 * camera snapshots. Times of day are Shanghai local time (UTC+8, no daylight saving).
 */

const Id = (description: string) =>
  T.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$', description });

/**
 * The door fields of issue 13 as TypeBox options: spread into DoorSchema as optional fields
 * (config load fills in the defaults; a door literal in code need not name them), read
 * through `doorHardware()`, which applies the same defaults.
 */
const HARDWARE = {
  contact: T.Boolean({
    default: false,
    description:
      'The door has a contact (门磁) that a driver reports (an IO board input, a terminal): door_forced and door_held_open are judged from it. false: no contact, and nothing ever alarms at this door.',
  }),
  heldOpenSeconds: T.Integer({
    minimum: 1,
    maximum: 3600,
    default: 60,
    description:
      'Open longer than this is door_held_open (not during passage or fire all-open); it clears when the door closes.',
  }),
  forcedWindowSeconds: T.Integer({
    minimum: 1,
    maximum: 120,
    default: 10,
    description:
      'An opening within this long after an unlock (or while the lock is still released) or an exit-button press is normal; any other opening is door_forced.',
  }),
  contactDebounceMs: T.Integer({
    minimum: 0,
    maximum: 5000,
    default: 300,
    description: 'A contact change counts once it has held this long (loose contacts, slammed doors).',
  }),
  exitButtonUnlocks: T.Boolean({
    default: true,
    description:
      'The exit button (出门按钮) reported by a driver opens the lock through the gateway. false where the button is wired to the lock directly (it still authorises the opening).',
  }),
  onFire: T.Union([T.Literal('unlock'), T.Literal('stay_locked')], {
    default: 'unlock',
    description:
      'Fire all-open (消防联动): unlock holds the door open until the fire input clears; stay_locked keeps it shut (a locked-safe door, e.g. a plant room or the estate office).',
  }),
  cameraDelayMs: T.Integer({
    minimum: 0,
    maximum: 5000,
    default: 0,
    description:
      "The camera's snapshot of a read is taken this long after the read (0: at once): where the person's face is in view a moment after they present a card.",
  }),
};

/** The door fields of issue 13, spread into DoorSchema. */
export const DoorHardwareFields = {
  contact: T.Optional(HARDWARE.contact),
  heldOpenSeconds: T.Optional(HARDWARE.heldOpenSeconds),
  forcedWindowSeconds: T.Optional(HARDWARE.forcedWindowSeconds),
  contactDebounceMs: T.Optional(HARDWARE.contactDebounceMs),
  exitButtonUnlocks: T.Optional(HARDWARE.exitButtonUnlocks),
  onFire: T.Optional(HARDWARE.onFire),
  cameraDelayMs: T.Optional(HARDWARE.cameraDelayMs),
  schedule: T.Optional(Id('Schedule (schedules[].id) of this door: passage windows and closed hours.')),
  camera: T.Optional(
    Id('Reader id of the ONVIF camera watching this door (a reader with driver onvif at this door).'),
  ),
};

/** A door's hardware settings with every default applied. */
export interface DoorHardware {
  contact: boolean;
  heldOpenSeconds: number;
  forcedWindowSeconds: number;
  contactDebounceMs: number;
  exitButtonUnlocks: boolean;
  onFire: 'unlock' | 'stay_locked';
  cameraDelayMs: number;
  schedule: string | null;
  camera: string | null;
}

/** The hardware settings of a door (a config door, or a literal that names only some). */
export function doorHardware(d: Partial<Record<keyof DoorHardware, unknown>>): DoorHardware {
  const pick = <K extends keyof typeof HARDWARE>(k: K) => (d[k] ?? HARDWARE[k].default) as DoorHardware[K];
  return {
    contact: pick('contact'),
    heldOpenSeconds: pick('heldOpenSeconds'),
    forcedWindowSeconds: pick('forcedWindowSeconds'),
    contactDebounceMs: pick('contactDebounceMs'),
    exitButtonUnlocks: pick('exitButtonUnlocks'),
    onFire: pick('onFire'),
    cameraDelayMs: pick('cameraDelayMs'),
    schedule: typeof d.schedule === 'string' ? d.schedule : null,
    camera: typeof d.camera === 'string' ? d.camera : null,
  };
}

const Time = (description: string) =>
  T.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$', description });

/** Days a window applies on: weekdays, or a kind of day of the calendar. */
export const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const DayOfWindow = T.Union(
  [...DAY_NAMES, 'workday', 'restday', 'holiday'].map((d) => T.Literal(d)),
  {
    description:
      'mon…sun: that weekday; workday: a working day of the calendar (Mon–Fri, and weekend days made working days); restday: any other day; holiday: a public holiday (calendar.holidays).',
  },
);

export const ScheduleWindowSchema = T.Object(
  {
    days: T.Array(DayOfWindow, { minItems: 1, description: 'Days the window starts on.' }),
    from: Time('Start, HH:MM local time.'),
    to: Time('End, HH:MM; earlier than from: the window runs past midnight into the next day.'),
    mode: T.Union([T.Literal('passage'), T.Literal('closed')], {
      default: 'passage',
      description:
        'passage: the door stands unlocked (常开), reads are recorded and checked and alert as ever. closed: credentials do not open it (exits still do).',
    }),
  },
  { additionalProperties: false },
);

export const ScheduleSchema = T.Object(
  {
    id: Id('Schedule id, named by doors[].schedule.'),
    name: T.Optional(T.String({ minLength: 1, description: 'Shown to the operator, e.g. 南门白天常开.' })),
    windows: T.Array(ScheduleWindowSchema, {
      minItems: 1,
      description:
        'The first window that covers a moment applies; outside every window the door works by credential.',
    }),
  },
  { additionalProperties: false },
);

const Date8 = (description: string) => T.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description });
const DayOrRange = T.Union([
  Date8('One day, YYYY-MM-DD.'),
  T.Object(
    {
      from: Date8('First day.'),
      to: Date8('Last day (inclusive).'),
      name: T.Optional(T.String({ description: 'e.g. 国庆节.' })),
    },
    { additionalProperties: false },
  ),
]);

export const CalendarSchema = T.Object(
  {
    holidays: T.Array(DayOrRange, {
      default: [],
      description:
        "Public holidays (法定节假日 and the days the State Council's notice adds to them). Each year's list is published in November or December; update it then.",
    }),
    workdays: T.Array(Date8('A weekend day worked instead (调休上班).'), {
      default: [],
      description: 'Weekend days that are working days by the holiday notice (调休).',
    }),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'The working-day calendar of the schedules: Shanghai follows the national holiday notice.',
  },
);

export const DoorControlSchema = T.Object(
  {
    remoteUnlock: T.Object(
      {
        perActorPerMinute: T.Integer({
          minimum: 1,
          maximum: 120,
          default: 6,
          description: 'Remote unlocks one operator or API token may make in any minute.',
        }),
        perDoorIntervalSeconds: T.Integer({
          minimum: 0,
          maximum: 600,
          default: 5,
          description: 'A door unlocked remotely cannot be unlocked remotely again this soon.',
        }),
        maxDurationSeconds: T.Integer({
          minimum: 1,
          maximum: 300,
          default: 30,
          description: 'Longest unlock a remote request may ask for (default: the door’s unlockMs).',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    holdRefreshSeconds: T.Integer({
      minimum: 2,
      maximum: 60,
      default: 10,
      description:
        'A door held unlocked (passage, fire all-open) is sent an unlock this often, each lasting a little longer: a lock relocks by itself within one period of the hold ending or of the gateway stopping.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Remote unlock and held-open doors (issue 13).' },
);

export const CamerasSchema = T.Object(
  {
    snapshotTimeoutMs: T.Integer({
      minimum: 200,
      maximum: 30000,
      default: 3000,
      description:
        'A snapshot not complete in this time is given up (and counted); the door was answered long before.',
    }),
    maxPending: T.Integer({
      minimum: 1,
      maximum: 64,
      default: 4,
      description: 'Snapshots waiting per camera; past this, further ones are dropped and counted.',
    }),
    maxBytes: T.Integer({
      minimum: 16384,
      maximum: 20971520,
      default: 4194304,
      description: 'Largest JPEG accepted from a camera.',
    }),
    embedding: T.Object(
      {
        url: T.Union([T.String({ pattern: '^https?://' }), T.Null()], {
          default: null,
          description:
            'A face-embedding service the snapshots are posted to (JPEG in, {"embedding": base64 float32} out), making a camera capture matchable. null: snapshots are evidence only.',
        }),
        allowOffBox: T.Boolean({
          default: false,
          description:
            'Faces stay on the box: a url whose host is not this box (localhost, 127.0.0.1, ::1) is refused unless this is true.',
        }),
        timeoutMs: T.Integer({ minimum: 100, maximum: 30000, default: 2000 }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {}, description: 'Camera snapshots at the doors (issue 13).' },
);

export type ScheduleConfig = Static<typeof ScheduleSchema>;
export type ScheduleWindow = Static<typeof ScheduleWindowSchema>;
export type CalendarConfig = Static<typeof CalendarSchema>;
export type DoorControlConfig = Static<typeof DoorControlSchema>;
export type CamerasConfig = Static<typeof CamerasSchema>;
