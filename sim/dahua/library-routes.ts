/**
 * The user, card and face CGIs of a simulated Dahua terminal (protocols.md §3
 * "Provisioning"): insertMulti refuses what exists (286064926) and updateMulti replaces it,
 * removeMulti deletes, startFind/doFind/stopFind page through users and cards, and a refused
 * face answers HTTP 400 with `detail.FailCodes` (288686087 no face, 286064923 too large,
 * 286064922 blurred).
 */
import { ALREADY_ENROLLED, CGI, FIND_PAGE } from '../../drivers/dahua/constants.js';
import { judgePhoto, type SimFaceLibrary } from '../vendor/face-library.js';
import type { SimHttpDevice, SimReply, SimRequest } from '../vendor/http-device.js';

/** Firmware details of the library. */
export interface DahuaLibraryQuirks {
  /** Largest enrolment photo, bytes. Default 512 KiB. */
  maxPhotoBytes?: number;
}

const OK: SimReply = { status: 200, type: 'text/plain', body: 'OK' };
const fail = (code: number): SimReply => ({
  status: 400,
  body: JSON.stringify({
    error: { code: 287637505, message: 'Invalid Request' },
    detail: { FailCodes: [code] },
  }),
});
const BAD = 287637505;

function bodyJson(req: SimRequest): Record<string, unknown> | null {
  try {
    const v = JSON.parse(req.body.toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** `Name[0]=a&Name[1]=b` → [a, b]. */
function listOf(q: URLSearchParams, name: string): string[] {
  const out: string[] = [];
  for (const [k, v] of q) if (k.startsWith(`${name}[`)) out.push(v);
  return out;
}

/** A running startFind: what it found, served by doFind pages. */
interface Finding {
  items: Array<Record<string, unknown>>;
}

/** Registers the CGIs on the device. */
export function registerDahuaLibrary(
  device: SimHttpDevice,
  lib: SimFaceLibrary,
  q: DahuaLibraryQuirks = {},
): void {
  const maxPhoto = q.maxPhotoBytes ?? 512 * 1024;
  const finds = new Map<number, Finding>();
  let token = 0;
  const find = (req: SimRequest, items: () => Array<Record<string, unknown>>): SimReply => {
    const action = req.query.get('action');
    if (action === 'startFind') {
      const all = items();
      finds.set(++token, { items: all });
      return { status: 200, body: JSON.stringify({ Token: token, Total: all.length, Caps: FIND_PAGE }) };
    }
    const f = finds.get(Number(req.query.get('Token')));
    if (!f) return fail(BAD);
    if (action === 'doFind') {
      const offset = Number(req.query.get('Offset') ?? 0);
      const count = Math.min(FIND_PAGE, Number(req.query.get('Count') ?? FIND_PAGE));
      return {
        status: 200,
        body: JSON.stringify({
          Found: Math.min(count, f.items.length - offset),
          Info: f.items.slice(offset, offset + count),
        }),
      };
    }
    finds.delete(Number(req.query.get('Token')));
    return OK;
  };

  device.route('GET', CGI.user, (req) => {
    const action = req.query.get('action');
    if (action === 'removeMulti') {
      for (const id of listOf(req.query, 'UserIDList')) lib.persons.delete(id);
      return OK;
    }
    return find(req, () =>
      [...lib.persons.values()].map((p) => ({
        UserID: p.id,
        UserName: p.name,
        UserType: 0,
        ValidFrom: p.validFrom,
        ValidTo: p.validTo,
      })),
    );
  });
  device.route('POST', CGI.user, (req) => {
    const action = req.query.get('action');
    const list = bodyJson(req)?.UserList;
    if (!Array.isArray(list) || list.length === 0 || list.length > 10) return fail(BAD);
    for (const u of list as Array<Record<string, unknown>>) {
      const id = u.UserID;
      if (typeof id !== 'string' || id.length === 0) return fail(BAD);
      if (action === 'insertMulti' && lib.persons.has(id)) return fail(ALREADY_ENROLLED);
      if (action === 'updateMulti' && !lib.persons.has(id)) return fail(BAD);
      lib.upsert(id, {
        name: typeof u.UserName === 'string' ? u.UserName : id,
        validFrom: typeof u.ValidFrom === 'string' ? u.ValidFrom : null,
        validTo: typeof u.ValidTo === 'string' ? u.ValidTo : null,
      });
    }
    return OK;
  });

  device.route('GET', CGI.card, (req) => {
    if (req.query.get('action') === 'removeMulti') {
      for (const no of listOf(req.query, 'CardNoList')) lib.cardOwner(no)?.cards.delete(no);
      return OK;
    }
    const user = req.query.get('Condition.UserID');
    return find(req, () =>
      [...lib.persons.values()]
        .filter((p) => user === null || p.id === user)
        .flatMap((p) => [...p.cards].map((CardNo) => ({ UserID: p.id, CardNo, CardType: 0, CardStatus: 0 }))),
    );
  });
  device.route('POST', CGI.card, (req) => {
    const list = bodyJson(req)?.CardList;
    if (!Array.isArray(list) || list.length === 0) return fail(BAD);
    for (const c of list as Array<Record<string, unknown>>) {
      const person = typeof c.UserID === 'string' ? lib.persons.get(c.UserID) : undefined;
      if (!person || typeof c.CardNo !== 'string' || !/^[0-9A-F]{4,20}$/i.test(c.CardNo)) return fail(BAD);
      if (lib.cardOwner(c.CardNo)) return fail(ALREADY_ENROLLED);
      person.cards.add(c.CardNo);
    }
    return OK;
  });

  device.route('GET', CGI.face, (req) => {
    if (req.query.get('action') !== 'removeMulti') return fail(BAD);
    for (const id of listOf(req.query, 'UserIDList')) {
      const p = lib.persons.get(id);
      if (p) p.face = null;
    }
    return OK;
  });
  device.route('POST', CGI.face, (req) => {
    const action = req.query.get('action');
    const list = bodyJson(req)?.FaceList;
    if (!Array.isArray(list) || list.length === 0) return fail(BAD);
    for (const f of list as Array<Record<string, unknown>>) {
      const person = typeof f.UserID === 'string' ? lib.persons.get(f.UserID) : undefined;
      const b64 = Array.isArray(f.PhotoData) ? f.PhotoData[0] : undefined;
      if (!person || typeof b64 !== 'string') return fail(BAD);
      if (action === 'insertMulti' && person.face) return fail(ALREADY_ENROLLED);
      const photo = Buffer.from(b64, 'base64');
      switch (judgePhoto(photo, maxPhoto)) {
        case 'too_large':
          return fail(286064923);
        case 'not_jpeg':
        case 'no_face':
          return fail(288686087);
        case 'low_quality':
          return fail(286064922);
        case 'ok':
          if (!person.face && lib.faces >= lib.faceCapacity) return fail(286064927);
          person.face = photo;
      }
    }
    return OK;
  });
}
