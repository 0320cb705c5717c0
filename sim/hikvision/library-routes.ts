/**
 * The person, card and face routes of a simulated Hikvision terminal (protocols.md §2
 * "Provisioning"), answering as MinMoe firmware does: a ResponseStatus with the
 * subStatusCode of each refusal (deviceUserAlreadyExist, employeeNoNotExist, cardNoAlreadyExist,
 * noFaceDetected, faceQualityTooLow, picSizeOutRange, faceLibFull, badParameters), searches in
 * pages of at most 30.
 */
import { EMPLOYEE_NO, ISAPI, SEARCH_PAGE } from '../../drivers/hikvision-isapi/constants.js';
import { responseStatusJson } from '../../drivers/hikvision-isapi/wire.js';
import { boundaryOf, parseMultipart } from '../../drivers/http/multipart.js';
import type { SimFaceLibrary } from '../vendor/face-library.js';
import { judgePhoto } from '../vendor/face-library.js';
import type { SimHttpDevice, SimReply, SimRequest } from '../vendor/http-device.js';

/** Firmware differences the library routes can show. */
export interface HikLibraryQuirks {
  /** Older firmware: no UserInfo/SetUp and no FDSetUp (404): Record/Modify and FaceDataRecord only. */
  noSetUp?: boolean;
  /** Largest enrolment photo, bytes. Default 200 KiB. */
  maxPhotoBytes?: number;
}

const ok = (): SimReply => ({ status: 200, body: responseStatusJson({ statusCode: 1 }) });
const refuse = (subStatusCode: string, statusCode = 6, errorMsg = subStatusCode): SimReply => ({
  status: 400,
  body: responseStatusJson({ statusCode, statusString: 'Invalid Content', subStatusCode, errorMsg }),
});
const notSupported = (): SimReply => ({
  status: 404,
  body: responseStatusJson({ statusCode: 4, statusString: 'Invalid Operation', subStatusCode: 'notSupport' }),
});
const path = (p: string) => p.split('?')[0] as string;

function json(req: SimRequest): Record<string, unknown> | null {
  try {
    const v = JSON.parse(req.body.toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Registers the routes on the device. */
export function registerLibraryRoutes(
  device: SimHttpDevice,
  lib: SimFaceLibrary,
  q: HikLibraryQuirks = {},
): void {
  const maxPhoto = q.maxPhotoBytes ?? 200 * 1024;

  const userFrom = (req: SimRequest) => {
    const u = json(req)?.UserInfo as Record<string, unknown> | undefined;
    const id = u?.employeeNo;
    if (typeof id !== 'string' || !EMPLOYEE_NO.test(id)) return null;
    const valid = (u?.Valid ?? {}) as Record<string, unknown>;
    return {
      id,
      name: typeof u?.name === 'string' ? u.name : id,
      validFrom: typeof valid.beginTime === 'string' ? valid.beginTime : null,
      validTo: typeof valid.endTime === 'string' ? valid.endTime : null,
    };
  };

  device.route('PUT', path(ISAPI.userSetUp), (req) => {
    if (q.noSetUp) return notSupported();
    const u = userFrom(req);
    if (!u) return refuse('badParameters');
    lib.upsert(u.id, u);
    return ok();
  });
  device.route('POST', path(ISAPI.userRecord), (req) => {
    const u = userFrom(req);
    if (!u) return refuse('badParameters');
    if (lib.persons.has(u.id)) return refuse('deviceUserAlreadyExist');
    lib.upsert(u.id, u);
    return ok();
  });
  device.route('PUT', path(ISAPI.userModify), (req) => {
    const u = userFrom(req);
    if (!u) return refuse('badParameters');
    if (!lib.persons.has(u.id)) return refuse('employeeNoNotExist');
    lib.upsert(u.id, u);
    return ok();
  });
  device.route('PUT', path(ISAPI.userDelete), (req) => {
    const list = ((json(req)?.UserInfoDelCond as Record<string, unknown> | undefined)?.EmployeeNoList ??
      []) as Array<{
      employeeNo?: unknown;
    }>;
    if (!Array.isArray(list) || list.length === 0) return refuse('badParameters');
    let found = 0;
    for (const e of list) if (typeof e.employeeNo === 'string' && lib.persons.delete(e.employeeNo)) found++;
    return found > 0 ? ok() : refuse('employeeNoNotExist');
  });
  device.route('POST', path(ISAPI.userSearch), (req) => {
    const c = (json(req)?.UserInfoSearchCond ?? {}) as Record<string, unknown>;
    const all = [...lib.persons.values()].map((p) => ({
      employeeNo: p.id,
      name: p.name,
      userType: 'normal',
      Valid: { enable: true, beginTime: p.validFrom, endTime: p.validTo },
      numOfCard: p.cards.size,
      numOfFace: p.face ? 1 : 0,
    }));
    return page('UserInfoSearch', 'UserInfo', all, c);
  });
  device.route('GET', path(ISAPI.userCount), () => ({
    status: 200,
    body: JSON.stringify({ UserInfoCount: { userNumber: lib.persons.size } }),
  }));

  device.route('POST', path(ISAPI.cardRecord), (req) => {
    const c = json(req)?.CardInfo as Record<string, unknown> | undefined;
    if (
      typeof c?.employeeNo !== 'string' ||
      typeof c.cardNo !== 'string' ||
      !/^\d{1,20}$|^[0-9A-F]{1,20}$/.test(c.cardNo)
    )
      return refuse('badParameters');
    const person = lib.persons.get(c.employeeNo);
    if (!person) return refuse('employeeNoNotExist');
    const owner = lib.cardOwner(c.cardNo);
    if (owner) return refuse('cardNoAlreadyExist');
    person.cards.add(c.cardNo);
    return ok();
  });
  device.route('POST', path(ISAPI.cardSearch), (req) => {
    const c = (json(req)?.CardInfoSearchCond ?? {}) as Record<string, unknown>;
    const ids = new Set(
      (Array.isArray(c.EmployeeNoList) ? c.EmployeeNoList : []).map(
        (e: { employeeNo?: unknown }) => e.employeeNo,
      ),
    );
    const all = [...lib.persons.values()]
      .filter((p) => ids.size === 0 || ids.has(p.id))
      .flatMap((p) => [...p.cards].map((cardNo) => ({ employeeNo: p.id, cardNo, cardType: 'normalCard' })));
    return page('CardInfoSearch', 'CardInfo', all, c);
  });
  device.route('PUT', path(ISAPI.cardDelete), (req) => {
    const list = ((json(req)?.CardInfoDelCond as Record<string, unknown> | undefined)?.CardNoList ??
      []) as Array<{
      cardNo?: unknown;
    }>;
    for (const e of Array.isArray(list) ? list : [])
      if (typeof e.cardNo === 'string') lib.cardOwner(e.cardNo)?.cards.delete(e.cardNo);
    return ok();
  });

  const face = (req: SimRequest, replace: boolean): SimReply => {
    const boundary = boundaryOf(String(req.headers['content-type'] ?? ''));
    if (!boundary) return refuse('badParameters');
    const parts = parseMultipart(req.body, boundary, { maxPartBytes: 4 * 1024 * 1024 }).flatMap((e) =>
      e.kind === 'part' ? [e.part] : [],
    );
    const meta = parts.find((p) => p.name === 'FaceDataRecord');
    const image = parts.find((p) => p.name === 'FaceImage' || p.type === 'image/jpeg');
    let rec: Record<string, unknown> = {};
    try {
      rec = JSON.parse(meta?.body.toString('utf8') ?? '{}') as Record<string, unknown>;
    } catch {
      return refuse('badParameters');
    }
    if (rec.FDID !== '1') return refuse('FDIDNotExist');
    const person = typeof rec.FPID === 'string' ? lib.persons.get(rec.FPID) : undefined;
    if (!person || !image) return refuse(person ? 'badParameters' : 'employeeNoNotExist');
    if (person.face && !replace) return refuse('deviceUserAlreadyExistFace');
    if (!person.face && lib.faces >= lib.faceCapacity) return refuse('faceLibFull');
    switch (judgePhoto(image.body, maxPhoto)) {
      case 'not_jpeg':
        return refuse('badParameters', 6, 'picture not decodable');
      case 'too_large':
        return refuse('picSizeOutRange');
      case 'no_face':
        return refuse('noFaceDetected');
      case 'low_quality':
        return refuse('faceQualityTooLow');
      case 'ok':
        person.face = image.body;
        return ok();
    }
  };
  device.route('POST', path(ISAPI.faceRecord), (req) => face(req, false));
  device.route('PUT', path(ISAPI.faceSetUp), (req) => (q.noSetUp ? notSupported() : face(req, true)));
  device.route('PUT', '/ISAPI/Intelligent/FDLib/FDSearch/Delete', (req) => {
    const list = (json(req)?.FPID ?? []) as Array<{ value?: unknown }>;
    for (const e of Array.isArray(list) ? list : []) {
      const p = typeof e.value === 'string' ? lib.persons.get(e.value) : undefined;
      if (p) p.face = null;
    }
    return ok();
  });
}

/** One page of a search: at most 30 from `searchResultPosition`, with MORE / OK / NO MATCH. */
function page(root: string, list: string, all: unknown[], cond: Record<string, unknown>): SimReply {
  const from = typeof cond.searchResultPosition === 'number' ? cond.searchResultPosition : 0;
  const max = Math.min(SEARCH_PAGE, typeof cond.maxResults === 'number' ? cond.maxResults : SEARCH_PAGE);
  const items = all.slice(from, from + max);
  const status = all.length === 0 ? 'NO MATCH' : from + items.length < all.length ? 'MORE' : 'OK';
  return {
    status: 200,
    body: JSON.stringify({
      [root]: {
        searchID: cond.searchID,
        responseStatusStrg: status,
        numOfMatches: items.length,
        totalMatches: all.length,
        ...(items.length > 0 ? { [list]: items } : {}),
      },
    }),
  };
}
