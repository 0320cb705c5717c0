/**
 * CloudEvents 1.0, structured JSON (design.md §7, normative): the envelope of everything
 * that leaves the gateway upstream.
 */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  /** Stable across retries: the upstream deduplicates on it. */
  id: string;
  /** urn:estate:{estateId}:gateway:{gatewayId} */
  source: string;
  /** estate.alert.{kind} | estate.access.{granted|denied} | estate.case.{state} */
  type: string;
  time: string;
  /** Household id when known. */
  subject?: string;
  datacontenttype: 'application/json';
  data: T;
}

/** The CloudEvents source of this gateway. */
export function eventSource(estateId: string, gatewayId: string): string {
  return `urn:estate:${estateId}:gateway:${gatewayId}`;
}

/** Builds an event; `time` is the event's own time, not the send time. */
export function cloudEvent<T>(
  source: string,
  e: { id: string; type: string; time: number; subject?: string | null; data: T },
): CloudEvent<T> {
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
