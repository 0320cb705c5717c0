import { randomUUID } from 'node:crypto';
import { GatewayError } from '../../core/errors.js';
import type { Cursor } from '../http/cursor.js';
import type { DeviceHttp } from '../http/device-http.js';
import { formatDeviceTime } from '../http/device-time.js';
import { isObject } from '../http/fields.js';
import { looksLikeJpeg } from '../http/mapped.js';
import { ISAPI, SEARCH_PAGE } from './constants.js';
import { type HikEvent, type ParsedEvent, parseAcsRecord } from './event.js';

/** What a catch-up needs of its terminal. */
export interface AcsCatchUpDeps {
  http: DeviceHttp;
  cursor: Cursor;
  zoneMinutes: number;
  catchUpDays: number;
  now: () => number;
  /** Records one event found (durably); the cursor moves after it resolves. */
  record: (parsed: ParsedEvent & { ok: true; kind: 'access' }, pictureURL: string | null) => Promise<void>;
  /** An entry of a search result that is no event: counted and logged by the caller. */
  bad: (detail: string) => void;
}

/** Serial numbers asked for per search: ten pages of 30 at most, so one search returns them all. */
const WINDOW = 10 * SEARCH_PAGE;
/** Pages read per search before giving up on a terminal that says MORE forever. */
const MAX_PAGES = 12;
/** Searches per catch-up; a longer backlog continues in the next one. */
const MAX_ROUNDS = 50;

/**
 * Reads what a terminal recorded after the cursor (protocols.md §2 "Catching up"): AcsEvent
 * searches by serial number in windows of 300, each read whole in pages of 30, sorted by
 * serialNo (results come unordered) and recorded oldest first, the cursor moved after
 * each. A search also bounds time (since the cursor's record, at most `catchUpDays` back),
 * so firmware that ignores the serial bounds still moves forward. Without a cursor (a new
 * terminal) nothing is read: the gateway does not import a terminal's history; unless its
 * first record was lost (cursor n = -1): then the search starts by time.
 * Returns how many records it recorded; `more` when the backlog goes on.
 */
export async function catchUpAcs(d: AcsCatchUpDeps): Promise<{ recorded: number; more: boolean }> {
  const start = d.cursor.value;
  if (!start) return { recorded: 0, more: false };
  let from = start.n + 1;
  let since = Math.max(d.now() - d.catchUpDays * 86_400_000, start.t - 60_000);
  // No record known yet (n = -1, cursor.ts): the first search is by time alone, and the
  // serials it finds say where the windows start.
  let byTime = start.n < 0;
  let recorded = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const found = await search(d, from, from + WINDOW - 1, since, byTime);
    if (byTime) {
      byTime = false;
      if (found.length === 0) return { recorded, more: false };
      from = found[0]?.event.serialNo as number;
      continue;
    }
    const inWindow = found.filter((e) => (e.event.serialNo as number) <= from + WINDOW - 1);
    if (inWindow.length === 0) {
      // Firmware that ignores the serial bounds may answer with later records only: go on from them.
      const beyond = found.map((e) => e.event.serialNo as number);
      if (beyond.length === 0) return { recorded, more: false };
      from = Math.min(...beyond);
      continue;
    }
    for (const e of inWindow) {
      await d.record(e, e.event.pictureURL);
      d.cursor.set({ n: e.event.serialNo as number, t: e.event.time });
      recorded++;
    }
    const last = inWindow.at(-1)?.event as HikEvent;
    from = (last.serialNo as number) + 1;
    since = Math.max(since, last.time - 60_000);
  }
  return { recorded, more: true };
}

type Found = ParsedEvent & { ok: true; kind: 'access' };

/**
 * One search, all its pages: the events with a serial ≥ from, sorted, each serial once.
 * `byTime`: no serial bounds are sent (what time alone finds).
 */
async function search(
  d: AcsCatchUpDeps,
  from: number,
  to: number,
  since: number,
  byTime = false,
): Promise<Found[]> {
  const searchID = randomUUID();
  const bySerial = new Map<number, Found>();
  let position = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const body = JSON.stringify({
      AcsEventCond: {
        searchID,
        searchResultPosition: position,
        maxResults: SEARCH_PAGE,
        major: 0,
        minor: 0,
        startTime: formatDeviceTime(since, d.zoneMinutes),
        endTime: formatDeviceTime(d.now() + 86_400_000, d.zoneMinutes),
        // Some firmware wants both bounds (protocols.md §2).
        ...(byTime ? {} : { beginSerialNo: from, endSerialNo: to }),
      },
    });
    const reply = await d.http.request('POST', ISAPI.acsEvent, {
      body,
      headers: { 'content-type': 'application/json' },
    });
    if (reply.status !== 200)
      throw new GatewayError('TERMINAL_REFUSED', `AcsEvent search answered ${reply.status}`, {
        status: reply.status,
      });
    const acs = acsOf(reply.body.toString('utf8'));
    const list = Array.isArray(acs.InfoList) ? acs.InfoList : [];
    for (const item of list) {
      const p = parseAcsRecord(item, d.zoneMinutes);
      if (!p.ok) d.bad(p.detail);
      else if (p.kind === 'access' && p.event.serialNo !== null && p.event.serialNo >= from)
        bySerial.set(p.event.serialNo, p);
    }
    position += list.length;
    if (acs.responseStatusStrg !== 'MORE' || list.length === 0) break;
  }
  return [...bySerial.values()].sort((a, b) => (a.event.serialNo as number) - (b.event.serialNo as number));
}

function acsOf(text: string): { InfoList?: unknown; responseStatusStrg?: unknown } {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    throw new GatewayError('BAD_REPLY', 'AcsEvent reply is not JSON');
  }
  if (!isObject(j) || !isObject(j.AcsEvent))
    throw new GatewayError('BAD_REPLY', 'AcsEvent reply without AcsEvent');
  return j.AcsEvent;
}

/**
 * A search result's `pictureURL`, fetched with Digest from the terminal itself: a URL that
 * names another host is refused (a terminal's reply must not steer the gateway elsewhere).
 */
export async function fetchPicture(
  http: DeviceHttp,
  host: string,
  url: string,
  maxBytes: number,
): Promise<{ mime: string; data: Buffer } | { dropped: string }> {
  let u: URL;
  try {
    u = new URL(url, `http://${host}`);
  } catch {
    return { dropped: 'bad_url' };
  }
  if (u.hostname.replace(/^\[|\]$/g, '') !== host) return { dropped: 'foreign_host' };
  try {
    const r = await http.request('GET', `${u.pathname}${u.search}`);
    if (r.status !== 200 || !looksLikeJpeg(r.body)) return { dropped: 'not_jpeg' };
    if (r.body.length > maxBytes) return { dropped: 'oversize' };
    return { mime: 'image/jpeg', data: r.body };
  } catch {
    return { dropped: 'fetch_failed' };
  }
}
