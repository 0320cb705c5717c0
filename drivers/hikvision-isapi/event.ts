import type { RejectReason } from '../../core/contracts.js';
import { parseDeviceTime } from '../http/device-time.js';
import {
  boolField,
  FieldError,
  intField,
  isObject,
  numberField,
  stringField,
  tryFields,
} from '../http/fields.js';

/**
 * One access-control event of a Hikvision terminal, whichever way it came: pushed to the
 * gateway's HTTP host, read from the alertStream, or found by an AcsEvent search.
 */
export interface HikEvent {
  major: number;
  minor: number;
  /** Event time on the terminal's clock, epoch ms. */
  time: number;
  /** The terminal's event counter; null on firmware that leaves it out. */
  serialNo: number | null;
  /** The terminal's person id (employeeNoString, or employeeNo on older firmware). */
  employeeNo: string | null;
  /** The card number as the terminal shows it (decimal on MinMoe). */
  cardNo: string | null;
  doorNo: number | null;
  /** false: replayed from the terminal's buffer; true: happening now; null: the record does not say. */
  currentEvent: boolean | null;
  /** Pictures that follow the event in its body or stream. */
  pictures: number;
  /** Where an AcsEvent search result's picture can be fetched (on the terminal itself). */
  pictureURL: string | null;
  /** Face match similarity 0..1 when the firmware reports one. */
  similarity: number | null;
}

/** What one event text was. */
export type ParsedEvent =
  | { ok: true; kind: 'access'; event: HikEvent }
  | { ok: true; kind: 'heartbeat' }
  /** An event of another type (video loss, tamper of the case…): counted, not a read. */
  | { ok: true; kind: 'other'; eventType: string }
  | { ok: false; reason: RejectReason; detail: string };

const bad = (detail: string): ParsedEvent => ({ ok: false, reason: 'bad_field', detail });

/**
 * An `event_log` part, an alertStream part or a pushed body: JSON (`parameterFormatType
 * JSON`) or the XML `EventNotificationAlert` of older firmware. Never throws.
 */
export function parseEventText(text: string, zoneMinutes: number): ParsedEvent {
  const t = text.trim();
  if (t.startsWith('<')) return parseEventXml(t, zoneMinutes);
  let json: unknown;
  try {
    json = JSON.parse(t);
  } catch {
    return { ok: false, reason: 'not_json', detail: 'event is neither JSON nor XML' };
  }
  return parseEventLog(json, zoneMinutes);
}

/** The JSON `event_log`: `{dateTime, eventType, AccessControllerEvent:{…}}`. */
export function parseEventLog(json: unknown, zoneMinutes: number): ParsedEvent {
  if (!isObject(json)) return bad('event is not a JSON object');
  const eventType = typeof json.eventType === 'string' ? json.eventType : '';
  if (/^heart_?beat$/i.test(eventType)) return { ok: true, kind: 'heartbeat' };
  if (eventType !== 'AccessControllerEvent') {
    if (eventType === '') return bad('eventType missing');
    return { ok: true, kind: 'other', eventType: eventType.slice(0, 64) };
  }
  const ace = json.AccessControllerEvent;
  if (!isObject(ace)) return bad('AccessControllerEvent missing or not an object');
  const time = typeof json.dateTime === 'string' ? parseDeviceTime(json.dateTime, zoneMinutes) : null;
  if (time === null) return bad('dateTime missing or not an ISO time');
  const r = tryFields(() => {
    const major = intField(ace, 'majorEventType', 'AccessControllerEvent.majorEventType');
    const minor = intField(ace, 'subEventType', 'AccessControllerEvent.subEventType');
    if (major === undefined || minor === undefined)
      throw new FieldError('AccessControllerEvent.majorEventType/subEventType', 'present');
    return common(ace, major, minor, time, 'AccessControllerEvent.');
  });
  if (!r.ok) return bad(r.detail);
  return { ok: true, kind: 'access', event: r.value };
}

/** One `InfoList` entry of an AcsEvent search: always history, so `currentEvent` is false. */
export function parseAcsRecord(item: unknown, zoneMinutes: number): ParsedEvent {
  if (!isObject(item)) return bad('AcsEvent entry is not an object');
  const time = typeof item.time === 'string' ? parseDeviceTime(item.time, zoneMinutes) : null;
  if (time === null) return bad('AcsEvent entry: time missing or not an ISO time');
  const r = tryFields(() => {
    const major = intField(item, 'major', 'AcsEvent.major');
    const minor = intField(item, 'minor', 'AcsEvent.minor');
    if (major === undefined || minor === undefined) throw new FieldError('AcsEvent.major/minor', 'present');
    return { ...common(item, major, minor, time, 'AcsEvent.'), currentEvent: false };
  });
  if (!r.ok) return bad(r.detail);
  return { ok: true, kind: 'access', event: r.value };
}

function common(
  o: Readonly<Record<string, unknown>>,
  major: number,
  minor: number,
  time: number,
  at: string,
): HikEvent {
  const similarity = numberField(o, 'similarity', `${at}similarity`);
  return {
    major,
    minor,
    time,
    serialNo: intField(o, 'serialNo', `${at}serialNo`) ?? null,
    employeeNo:
      stringField(o, 'employeeNoString', `${at}employeeNoString`, 32) ??
      stringField(o, 'employeeNo', `${at}employeeNo`, 32) ??
      null,
    cardNo: stringField(o, 'cardNo', `${at}cardNo`, 64) ?? null,
    doorNo: intField(o, 'doorNo', `${at}doorNo`) ?? null,
    currentEvent: boolField(o, 'currentEvent', `${at}currentEvent`) ?? null,
    pictures: intField(o, 'picturesNumber', `${at}picturesNumber`) ?? 0,
    pictureURL: stringField(o, 'pictureURL', `${at}pictureURL`, 512) ?? null,
    // Firmware reports 0..100 or 0..1.
    similarity: similarity === undefined ? null : similarity > 1 ? Math.min(1, similarity / 100) : similarity,
  };
}

/** The XML form: flat tags are enough for what the gateway reads. */
function parseEventXml(xml: string, zoneMinutes: number): ParsedEvent {
  const eventType = tag(xml, 'eventType') ?? '';
  if (/^heart_?beat$/i.test(eventType)) return { ok: true, kind: 'heartbeat' };
  if (eventType !== 'AccessControllerEvent') {
    if (eventType === '') return bad('XML event without eventType');
    return { ok: true, kind: 'other', eventType: eventType.slice(0, 64) };
  }
  const inner = /<AccessControllerEvent\b[^>]*>([\s\S]*?)<\/AccessControllerEvent>/.exec(xml)?.[1];
  if (inner === undefined) return bad('AccessControllerEvent element missing');
  const fields: Record<string, string> = {};
  for (const m of inner.matchAll(/<([A-Za-z][\w]*)>([^<]*)<\/\1>/g)) fields[m[1] as string] = m[2] as string;
  const dateTime = tag(xml, 'dateTime');
  return parseEventLog({ eventType, dateTime, AccessControllerEvent: fields }, zoneMinutes);
}

function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>\\s*([^<]*?)\\s*</${name}>`).exec(xml)?.[1];
}
