import { GatewayError } from '../../core/errors.js';
import type { Cursor } from '../http/cursor.js';
import type { DeviceHttp } from '../http/device-http.js';
import { parseRecords } from './codec.js';
import { CGI, RECORDS_PAGE } from './constants.js';
import { type DahuaEvent, recordEvent } from './event.js';

/** What a recordFinder catch-up needs of its terminal. */
export interface RecordCatchUpDeps {
  http: DeviceHttp;
  cursor: Cursor;
  zoneMinutes: number;
  catchUpDays: number;
  now: () => number;
  /** Records one access record (durably); the cursor moves after it resolves. */
  record: (e: DahuaEvent) => Promise<void>;
  bad: (detail: string) => void;
}

/** Pages per catch-up; a longer backlog continues in the next one. */
const MAX_PAGES = 40;

/**
 * Reads the terminal's access log after the cursor (protocols.md §3 "Records"):
 * `recordFinder.cgi?action=find&name=AccessControlCardRec` by time (epoch seconds, from a
 * minute before the cursor's record), records after the cursor's RecNo kept, sorted by
 * RecNo, recorded oldest first with the cursor moved after each. A full page means more:
 * the next starts at the last record's time. Without a cursor nothing is read; a cursor of
 * RecNo -1 (a new terminal whose first record was lost) reads every record from its time.
 */
export async function catchUpRecords(d: RecordCatchUpDeps): Promise<{ recorded: number; more: boolean }> {
  const start = d.cursor.value;
  if (!start) return { recorded: 0, more: false };
  let after = start.n;
  let since = Math.floor(Math.max(d.now() - d.catchUpDays * 86_400_000, start.t - 60_000) / 1000);
  let recorded = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const until = Math.floor((d.now() + 86_400_000) / 1000);
    const r = await d.http.request(
      'GET',
      `${CGI.records}?action=find&name=AccessControlCardRec&StartTime=${since}&EndTime=${until}&count=${RECORDS_PAGE}`,
    );
    if (r.status !== 200) throw new GatewayError('TERMINAL_REFUSED', `recordFinder answered ${r.status}`);
    const found = parseRecords(r.body.toString('utf8'));
    if (!found) throw new GatewayError('BAD_REPLY', 'recordFinder reply without found=');
    const events: DahuaEvent[] = [];
    for (const rec of found.records) {
      const p = recordEvent(rec, d.zoneMinutes);
      if (!p.ok) d.bad(p.detail);
      else if (p.event.recNo !== null && p.event.recNo > after) events.push(p.event);
    }
    events.sort((a, b) => (a.recNo as number) - (b.recNo as number));
    for (const e of events) {
      await d.record(e);
      d.cursor.set({ n: e.recNo as number, t: e.time });
      recorded++;
    }
    if (found.records.length < RECORDS_PAGE) return { recorded, more: false };
    const last = events.at(-1);
    if (!last) return { recorded, more: false };
    after = last.recNo as number;
    since = Math.floor(last.time / 1000);
  }
  return { recorded, more: true };
}
