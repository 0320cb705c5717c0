/**
 * The AcsEvent search of a simulated Hikvision terminal (protocols.md §2 "Catching up"):
 * conditions by serial number and time, at most 30 results a page from
 * `searchResultPosition`, `responseStatusStrg` MORE / OK / NO MATCH, and the results of a
 * page in no particular order, as the real firmware returns them.
 */
import { SEARCH_PAGE } from '../../drivers/hikvision-isapi/constants.js';
import { responseStatusJson } from '../../drivers/hikvision-isapi/wire.js';
import type { SimReply } from '../vendor/http-device.js';
import { isoLocal, type SimHikEvent } from './event-log.js';

/** Firmware differences of the search. */
export interface AcsQuirks {
  /** Firmware that ignores beginSerialNo/endSerialNo and filters by time only. */
  ignoreSerialBounds?: boolean;
}

/** Answers one `POST /ISAPI/AccessControl/AcsEvent?format=json`. */
export function searchEvents(
  body: Buffer,
  log: readonly SimHikEvent[],
  q: AcsQuirks,
  zoneMinutes: number,
  port: number,
): SimReply {
  let cond: Record<string, unknown>;
  try {
    cond = (JSON.parse(body.toString('utf8')) as { AcsEventCond: Record<string, unknown> }).AcsEventCond;
    if (typeof cond !== 'object' || cond === null) throw new Error('no AcsEventCond');
  } catch {
    return { status: 400, body: responseStatusJson({ statusCode: 6, subStatusCode: 'badJsonContent' }) };
  }
  const num = (k: string) => (typeof cond[k] === 'number' ? (cond[k] as number) : undefined);
  const time = (k: string) => (typeof cond[k] === 'string' ? Date.parse(cond[k] as string) : undefined);
  const begin = q.ignoreSerialBounds ? undefined : num('beginSerialNo');
  const end = q.ignoreSerialBounds ? undefined : num('endSerialNo');
  const start = time('startTime');
  const stop = time('endTime');
  const matches = log.filter(
    (e) =>
      (begin === undefined || e.serialNo >= begin) &&
      (end === undefined || e.serialNo <= end) &&
      (start === undefined || e.time >= start - 999) &&
      (stop === undefined || e.time <= stop + 999),
  );
  const from = num('searchResultPosition') ?? 0;
  const max = Math.min(SEARCH_PAGE, num('maxResults') ?? SEARCH_PAGE);
  const page = matches.slice(from, from + max);
  // Unordered within the page: the odd ones first, then the even ones, each reversed.
  const shuffled = [
    ...page.filter((_, i) => i % 2 === 1).reverse(),
    ...page.filter((_, i) => i % 2 === 0).reverse(),
  ];
  const status = matches.length === 0 ? 'NO MATCH' : from + page.length < matches.length ? 'MORE' : 'OK';
  return {
    status: 200,
    body: JSON.stringify({
      AcsEvent: {
        searchID: cond.searchID,
        responseStatusStrg: status,
        numOfMatches: page.length,
        totalMatches: matches.length,
        InfoList: shuffled.map((e) => ({
          major: e.major,
          minor: e.minor,
          time: isoLocal(e.time, zoneMinutes),
          ...(e.cardNo !== undefined ? { cardNo: e.cardNo, cardType: 1 } : {}),
          ...(e.employeeNo !== undefined ? { employeeNoString: e.employeeNo, userType: 'normal' } : {}),
          cardReaderNo: 1,
          doorNo: 1,
          serialNo: e.serialNo,
          currentVerifyMode: 'cardOrFace',
          mask: 'no',
          ...(e.picture
            ? {
                pictureURL: `http://127.0.0.1:${port}/LOCALS/pic/acsLinkCap/${e.serialNo}.jpeg@WEB000000000088`,
              }
            : {}),
        })),
      },
    }),
  };
}
