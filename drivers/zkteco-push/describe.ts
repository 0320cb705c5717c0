import { credentialOut, type Described } from '../describe.js';
import { parseAttlog, parseAttPhoto, parseRtlog, parseUsers } from './records.js';

/**
 * What a captured /iclock/cdata upload holds, for `estate-gateway decode zkteco-push`
 * (protocols.md §4), through the driver's own parsers: each record as the gateway would
 * read it, each refused line as an error with the line number. `table` is the upload's
 * `table=` (ATTLOG, rtlog, OPERLOG, ATTPHOTO). Credentials come out as they are; the
 * command line masks them.
 */
export function describeCdata(table: string, body: Buffer, zoneOffsetMs: number): Described[] {
  const t = table.toUpperCase();
  if (t === 'ATTPHOTO') {
    const p = parseAttPhoto(body, zoneOffsetMs);
    return typeof p === 'string'
      ? [{ error: 'bad_image', reason: p }]
      : [
          {
            photo: { pin: p.pin, ts: new Date(p.ts).toISOString(), mime: 'image/jpeg', bytes: p.jpeg.length },
          },
        ];
  }
  if (t === 'OPERLOG') {
    const u = parseUsers(body.toString('utf8'));
    return [{ users: u.pins.length, administrators: u.admins.length, otherLines: u.other }];
  }
  if (t !== 'ATTLOG' && t !== 'RTLOG')
    return [{ error: 'unknown_table', reason: `table ${table}: one of ATTLOG, rtlog, OPERLOG, ATTPHOTO` }];
  const u =
    t === 'ATTLOG'
      ? parseAttlog(body.toString('utf8'), zoneOffsetMs)
      : parseRtlog(body.toString('utf8'), zoneOffsetMs);
  const out: Described[] = [];
  for (const r of u.records) {
    if (r.kind === 'door')
      out.push({
        recordId: r.recordId,
        ts: new Date(r.ts).toISOString(),
        door: r.signal,
        ...(r.input ? { input: r.input } : {}),
      });
    else out.push({ recordId: r.recordId, ts: new Date(r.ts).toISOString(), ...credentialOut(r.credential) });
  }
  for (const p of u.problems) out.push({ error: p.reason, reason: p.detail, line: p.line });
  out.push({ lines: u.lines, answer: `OK: ${u.lines}` });
  return out;
}
