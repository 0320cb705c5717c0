import { randomBytes } from 'node:crypto';
import type { Drift, EntryOutcome, LibraryEntry } from '../../core/provisioning.js';
import { formatDeviceTime } from '../http/device-time.js';
import { stringField } from '../http/fields.js';
import { terminalCardNo } from '../http/mapped.js';
import { encodeMultipart } from '../http/multipart.js';
import { VendorProvisioner } from '../http/vendor-provisioner.js';
import {
  ALREADY_EXISTS,
  EMPLOYEE_NO,
  FACE_LIBRARY,
  ISAPI,
  NOT_FOUND,
  SUB_STATUS_REFUSALS,
} from './constants.js';
import { type IsapiResult, isapi, searchAll } from './isapi-call.js';
import type { HikTerminal } from './terminal.js';
import type { ResponseStatus } from './wire.js';

/** Validity of an open-ended person, in the terminal's local time: what the terminals accept as "always". */
const ALWAYS_FROM = '2000-01-01T00:00:00';
const ALWAYS_TO = '2037-12-31T23:59:59';
/** Longest name a MinMoe terminal takes. */
const MAX_NAME = 32;

/**
 * The face library of Hikvision terminals (core/provisioning.ts): a person is a `UserInfo`
 * (employeeNo = the entry's key, name, validity, the door right), their `CardInfo`s and
 * their face (`FaceDataRecord`, multipart with the JPEG). The gateway owns the terminal's
 * person list: drift is read by UserInfo searches (pages of 30), and a person the roster
 * does not want there is deleted with their cards and face. Writes to one terminal are
 * paced (`writeGapMs`) while it models faces; a refusal comes back as the entry's outcome in
 * the terminal's words (`faceQualityTooLow`…) under the gateway's code for it.
 */
export class HikProvisioner extends VendorProvisioner<HikTerminal> {
  /** Terminals that answered FDSetUp with "not supported": they take FaceDataRecord only. */
  readonly #noFaceSetUp = new Set<string>();

  async drift(readerId: string, expected: readonly string[]): Promise<Drift> {
    const t = this.terminal(readerId);
    const users = await searchAll(
      t.http,
      ISAPI.userSearch,
      'UserInfoSearchCond',
      {},
      'UserInfoSearch',
      'UserInfo',
    );
    const onDevice = new Set(
      users.map((u) => stringField(u, 'employeeNo', 'employeeNo', 64)).filter((k) => k !== undefined),
    );
    const want = new Set(expected);
    return {
      orphans: [...onDevice].filter((k) => !want.has(k)),
      missing: expected.filter((k) => !onDevice.has(k)),
    };
  }

  async put(readerId: string, entry: LibraryEntry): Promise<EntryOutcome> {
    const t = this.terminal(readerId);
    const employeeNo = entry.key;
    if (!EMPLOYEE_NO.test(employeeNo))
      return {
        ok: false,
        code: 'bad_person',
        message: 'the key is no employeeNo (1–32 letters, digits, - or _)',
      };
    const zone = t.options.utcOffsetMinutes;
    const local = (ms: number) => formatDeviceTime(ms, zone).slice(0, 19);
    const user = {
      UserInfo: {
        employeeNo,
        name: (entry.name ?? employeeNo).slice(0, MAX_NAME),
        userType: 'normal',
        Valid: {
          enable: true,
          beginTime: entry.validFrom == null ? ALWAYS_FROM : local(entry.validFrom),
          endTime: entry.validTo == null ? ALWAYS_TO : local(entry.validTo),
          timeType: 'local',
        },
        doorRight: String(t.options.doorNo),
        RightPlan: [{ doorNo: t.options.doorNo, planTemplateNo: '1' }],
      },
    };
    let r = await this.#write(t, 'PUT', ISAPI.userSetUp, { json: user });
    if (!r.ok && unsupported(r)) {
      // Firmware without SetUp: create, or modify what exists.
      r = await this.#write(t, 'POST', ISAPI.userRecord, { json: user });
      if (!r.ok && ALREADY_EXISTS.has(r.status.subStatusCode))
        r = await this.#write(t, 'PUT', ISAPI.userModify, { json: user });
    }
    if (!r.ok) return refusal(r.status, 'UserInfo');
    const cards = await this.#cards(t, employeeNo, entry.cards ?? []);
    if (!cards.ok) return cards;
    return entry.photo ? this.#face(t, employeeNo, entry.photo.data) : { ok: true };
  }

  async remove(readerId: string, key: string): Promise<EntryOutcome> {
    const t = this.terminal(readerId);
    const r = await this.#write(t, 'PUT', ISAPI.userDelete, {
      json: { UserInfoDelCond: { EmployeeNoList: [{ employeeNo: key }] } },
    });
    if (!r.ok && !NOT_FOUND.has(r.status.subStatusCode)) return refusal(r.status, 'UserInfo/Delete');
    // Firmware that keeps the face of a deleted person: delete it by its FPID too.
    const f = await this.#write(t, 'PUT', ISAPI.faceDelete, { json: { FPID: [{ value: key }] } });
    if (!f.ok && !NOT_FOUND.has(f.status.subStatusCode) && !unsupported(f))
      return refusal(f.status, 'FDSearch/Delete');
    return { ok: true };
  }

  /** Makes the person's cards on the terminal exactly the entry's. */
  async #cards(t: HikTerminal, employeeNo: string, uids: readonly string[]): Promise<EntryOutcome> {
    const fmt = t.options.cardFormat;
    const want = new Set(uids.map((u) => terminalCardNo(u, fmt)));
    const held = await searchAll(
      t.http,
      ISAPI.cardSearch,
      'CardInfoSearchCond',
      { EmployeeNoList: [{ employeeNo }] },
      'CardInfoSearch',
      'CardInfo',
    );
    const have = new Set(
      held.map((c) => stringField(c, 'cardNo', 'cardNo', 64)).filter((c) => c !== undefined),
    );
    for (const cardNo of have) {
      if (want.has(cardNo)) continue;
      const d = await this.#write(t, 'PUT', ISAPI.cardDelete, {
        json: { CardInfoDelCond: { CardNoList: [{ cardNo }] } },
      });
      if (!d.ok && !NOT_FOUND.has(d.status.subStatusCode)) return refusal(d.status, 'CardInfo/Delete');
    }
    for (const cardNo of want) {
      if (have.has(cardNo)) continue;
      const r = await this.#write(t, 'POST', ISAPI.cardRecord, {
        json: { CardInfo: { employeeNo, cardNo, cardType: 'normalCard' } },
      });
      if (!r.ok) return refusal(r.status, 'CardInfo');
    }
    return { ok: true };
  }

  /** Enrols (or replaces) the face: FDSetUp where the firmware has it, else FaceDataRecord. */
  async #face(t: HikTerminal, employeeNo: string, jpeg: Buffer): Promise<EntryOutcome> {
    const boundary = `----gw${randomBytes(8).toString('hex')}`;
    const body = encodeMultipart(
      [
        {
          headers: {
            'Content-Disposition': 'form-data; name="FaceDataRecord"',
            'Content-Type': 'application/json',
          },
          body: JSON.stringify({ ...FACE_LIBRARY, FPID: employeeNo }),
        },
        {
          headers: {
            'Content-Disposition': 'form-data; name="FaceImage"; filename="face.jpg"',
            'Content-Type': 'image/jpeg',
          },
          body: jpeg,
        },
      ],
      boundary,
    );
    const raw = { raw: body, contentType: `multipart/form-data; boundary=${boundary}` };
    let r: IsapiResult | null = null;
    if (!this.#noFaceSetUp.has(t.readerId)) {
      r = await this.#write(t, 'PUT', ISAPI.faceSetUp, raw);
      if (!r.ok && unsupported(r)) {
        this.#noFaceSetUp.add(t.readerId);
        r = null;
      }
    }
    if (!r) {
      r = await this.#write(t, 'POST', ISAPI.faceRecord, raw);
      // FaceDataRecord only adds: a face already there is deleted first, then recorded again.
      if (!r.ok && /exist/i.test(r.status.subStatusCode) && !NOT_FOUND.has(r.status.subStatusCode)) {
        const d = await this.#write(t, 'PUT', ISAPI.faceDelete, { json: { FPID: [{ value: employeeNo }] } });
        if (!d.ok) return refusal(d.status, 'FDSearch/Delete');
        r = await this.#write(t, 'POST', ISAPI.faceRecord, raw);
      }
    }
    return r.ok ? { ok: true } : refusal(r.status, 'FaceDataRecord');
  }

  /** One write, paced (VendorProvisioner.paced): a terminal modelling a face refuses or drops what comes too fast. */
  #write(
    t: HikTerminal,
    method: 'POST' | 'PUT',
    path: string,
    body: Parameters<typeof isapi>[3],
  ): Promise<IsapiResult> {
    return this.paced(t, () => isapi(t.http, method, path, body));
  }
}

/** A refusal as the entry's outcome: the gateway's code, the terminal's words. */
function refusal(s: ResponseStatus, what: string): EntryOutcome {
  const sub = s.subStatusCode || s.statusString || `statusCode ${s.statusCode}`;
  return {
    ok: false,
    code: SUB_STATUS_REFUSALS[s.subStatusCode] ?? 'vendor_error',
    message: `${sub}${s.errorMsg && s.errorMsg !== sub ? `: ${s.errorMsg}` : ''} (${what})`,
  };
}

/** The terminal does not have this resource (older firmware): try the older one. */
function unsupported(r: IsapiResult): boolean {
  return !r.ok && (r.http === 404 || /notSupport|invalidOperation/i.test(r.status.subStatusCode));
}
