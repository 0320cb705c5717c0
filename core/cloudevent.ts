/**
 * CloudEvents 1.0, structured JSON (design.md §7, normative): the envelope of everything
 * that leaves the gateway upstream. `cloudEvent` is the one function that builds it — the
 * alerts, access records, ledger transitions and health reports all go through it, so the
 * envelope cannot drift between them.
 */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  /** Stable across retries: the upstream deduplicates on it. */
  id: string;
  /** urn:estate:{estateId}:gateway:{gatewayId} */
  source: string;
  /** See EventType. */
  type: EventType;
  time: string;
  /** Household id when known. */
  subject?: string;
  datacontenttype: 'application/json';
  data: T;
}

/**
 * The event types of design.md §7: `estate.alert.{kind}`, `estate.access.{granted|denied}`,
 * `estate.case.{state}` (ledger transitions), `estate.report.{kind}` (written reports the
 * estate owes the district: the full inspection's, issue 16), and the gateway's retained
 * health report; (issue 14) the monthly report at each month's end and the announcement
 * of a signed hand-over package; and `estate.door.{action}` (issue 13: a remote unlock, the
 * end of a fire all-open, a held-open door closed again). A type outside these families
 * does not compile.
 */
export type EventType =
  | `estate.alert.${string}`
  | `estate.access.${'granted' | 'denied'}`
  | `estate.case.${string}`
  | `estate.report.${string}`
  | 'estate.gateway.health'
  | 'estate.report.monthly'
  | 'estate.handover.package'
  | `estate.door.${DoorEventAction}`;

/** What an `estate.door.*` event reports (issue 13). */
export type DoorEventAction = 'remote_unlock' | 'fire_cleared' | 'held_open_cleared';

/** What a part says of an event; the envelope around it is cloudEvent's job. */
export interface EventInit<T> {
  /** Stable across retries (an alert's id, `ac-…` for an access record, `ce-…` for a case step). */
  id: string;
  type: EventType;
  /** The event's own time (ms), not the send time. */
  time: number;
  /** The household concerned; omitted from the envelope when null or unknown. */
  subject?: string | null;
  data: T;
}

/** The CloudEvents source of this gateway. */
export function eventSource(estateId: string, gatewayId: string): string {
  return `urn:estate:${estateId}:gateway:${gatewayId}`;
}

/**
 * Builds the envelope. The field order is part of the bytes the upstream has always
 * received (subject last, only when known): keep it.
 */
export function cloudEvent<T>(source: string, e: EventInit<T>): CloudEvent<T> {
  const ev: CloudEvent<T> = {
    specversion: '1.0',
    id: e.id,
    source,
    type: e.type,
    time: new Date(e.time).toISOString(),
    datacontenttype: 'application/json',
    data: e.data,
  };
  if (e.subject) ev.subject = e.subject;
  return ev;
}
