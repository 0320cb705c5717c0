import type { DriverReader } from '../../core/contracts.js';
import { optionsCheck, ReaderOptions } from '../serial/options.js';
import { DEFAULT_ROOT, MAX_EDIT_BATCH } from './constants.js';

/** One mqtt-face terminal's options (config readers[].options), with defaults. */
export interface MqttFaceOptions {
  /** The terminal's own id in its topics (`facesluiceId`, usually its serial); default the reader id. */
  facesluiceId: string;
  /** Topic root, default `mqtt/face`. */
  root: string;
  /** Offset of the terminal's local times (it sends none), ms east of UTC; from `timeZone` "+08:00". */
  zoneOffsetMs: number;
  /**
   * Base URL the terminal fetches photos from (the gateway's terminal listener as the
   * terminal reaches it, e.g. `http://10.0.3.2:8090`): enrolment then goes in batches
   * (EditPersonsNew, picURI). Without it, one person at a time (EditPerson, ≥ 1 s apart).
   */
  photoUrl: string | undefined;
  /** The terminal's IP address: photos are served to it alone. Required with photoUrl. */
  address: string | undefined;
  /** Persons per EditPersonsNew batch. */
  batch: number;
  /** How long an enrolment or deletion waits for the terminal's Ack. */
  ackTimeoutMs: number;
  /** Answer every record with PushAck (the terminal's breakpoint resume, ResumefromBreakpoint=1). */
  pushAck: boolean;
}

const ID_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
const ZONE_RE = /^[+-](0\d|1[0-4]):[0-5]\d$/;
const URL_RE = /^https?:\/\/[^/\s?#]+(:\d{1,5})?\/?$/;
const IP_RE = /^(\d{1,3}\.){3}\d{1,3}$|^[0-9a-fA-F:]+$/;

/** Reads (and range-checks) a terminal's options; the driver and check-config share it. */
export function mqttFaceOptions(o: ReaderOptions, readerId = ''): MqttFaceOptions {
  const zone = o.optionalString('timeZone', ZONE_RE, 'an offset like +08:00') ?? '+08:00';
  const sign = zone.startsWith('-') ? -1 : 1;
  const photoUrl = o.optionalString(
    'photoUrl',
    URL_RE,
    'http://host:port of the gateway’s terminal listener',
  );
  const address = o.optionalString('address', IP_RE, 'the terminal’s IP address');
  const out: MqttFaceOptions = {
    facesluiceId:
      o.optionalString('facesluiceId', ID_RE, 'letters, digits, _ . : - (≤ 64)') ?? (readerId || 'x'),
    root: o.optionalString('root', /^[^#+\s]+[^/#+\s]$/, 'a topic prefix without wildcards') ?? DEFAULT_ROOT,
    zoneOffsetMs: sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000,
    photoUrl: photoUrl?.replace(/\/$/, ''),
    address,
    batch: o.int('batch', 100, 1, MAX_EDIT_BATCH),
    ackTimeoutMs: o.int('ackTimeoutMs', 30_000, 1000, 600_000),
    pushAck: o.bool('pushAck', true),
  };
  if (photoUrl !== undefined && address === undefined)
    o.problem('address', 'is required with photoUrl: photos are served to the terminal’s address only');
  return out;
}

/** A reader's options, read strictly (a bad one fails the start with CONFIG_READER). */
export function readerOptions(r: DriverReader): MqttFaceOptions {
  const o = new ReaderOptions(r);
  const opts = mqttFaceOptions(o, r.id);
  o.rejectUnknown();
  return opts;
}

/** check-config's view of the same options. */
export const checkMqttFaceOptions = optionsCheck((o) => mqttFaceOptions(o));
