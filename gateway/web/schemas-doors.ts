import { Type as T } from '@sinclair/typebox';

/**
 * JSON Schemas of the doors API (issue 13): each door's live state, remote unlock and the
 * fire all-open. The dashboard reads their `Static<>` types (ui/src/api-types.ts).
 */

const NStr = T.Union([T.String(), T.Null()]);
const Release = T.Union([T.Literal('passage'), T.Literal('fire'), T.Null()]);

/** A door's state as GET /api/doors/state and the live stream's "door" events send it. */
export const DoorState = T.Object({
  id: T.String(),
  name: T.String(),
  state: T.String({ description: 'door state code (core/codes.ts doorState)' }),
  contact: T.Union([T.Literal('open'), T.Literal('closed'), T.Literal('unknown'), T.Null()], {
    description: 'the debounced contact; null: the door has no contact',
  }),
  changedAt: NStr,
  openedAt: NStr,
  forced: T.Boolean(),
  held: T.Boolean(),
  release: Release,
  onFire: T.String({ description: 'unlock or stay_locked' }),
  camera: NStr,
  lastSignal: T.Union([T.Object({ kind: T.String(), readerId: T.String(), at: T.String() }), T.Null()]),
  /** The gateway can open it remotely (it has a lock, or readers with relays). */
  canUnlock: T.Boolean(),
});

/** The fire all-open as GET /api/doors/state, POST /api/fire and the live stream send it. */
export const FireState = T.Object({
  active: T.Boolean(),
  since: NStr,
  inputs: T.Array(T.String(), { description: 'readers whose fire input is on' }),
  declared: T.Union([T.Object({ actor: T.String(), reason: T.String(), since: T.String() }), T.Null()]),
});

export const DoorStatesReply = T.Object({ fire: FireState, items: T.Array(DoorState) });

const Reason = T.String({
  minLength: 2,
  maxLength: 200,
  description: 'Why (kept in the audit log and sent upstream): who asked, what for. No ID numbers.',
});

export const UnlockBody = T.Object(
  {
    reason: Reason,
    durationSeconds: T.Optional(
      T.Integer({ minimum: 1, maximum: 300, description: "Default: the door's unlockMs" }),
    ),
  },
  { additionalProperties: false },
);

export const UnlockReply = T.Object({
  doorId: T.String(),
  durationMs: T.Integer(),
  commandId: T.String(),
  /** The estate.door.remote_unlock CloudEvent sent upstream. */
  eventId: T.String(),
});

export const FireBody = T.Object(
  {
    active: T.Boolean({ description: 'true: open every door that allows it; false: end it' }),
    reason: Reason,
  },
  { additionalProperties: false },
);
