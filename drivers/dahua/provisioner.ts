import { GatewayError } from '../../core/errors.js';
import type { Drift, EntryOutcome, LibraryEntry } from '../../core/provisioning.js';
import type { DeviceHttp } from '../http/device-http.js';
import { formatLocalTime } from '../http/device-time.js';
import { isObject, stringField } from '../http/fields.js';
import { terminalCardNo } from '../http/mapped.js';
import { VendorProvisioner } from '../http/vendor-provisioner.js';
import { ALREADY_ENROLLED, CGI, FAIL_CODES, FIND_PAGE } from './constants.js';
import type { DahuaTerminal } from './terminal.js';

/** A CGI write's answer: done, or the FailCodes of its refusal. */
type CgiResult = { ok: true; body: string } | { ok: false; code: number | null; text: string };

const ALWAYS_FROM = '2000-01-01 00:00:00';
const ALWAYS_TO = '2037-12-31 23:59:59';

/**
 * The face library of Dahua terminals (core/provisioning.ts): `AccessUser` (UserID = the
 * entry's key), `AccessCard`s and `AccessFace` (the JPEG as base64), each by `insertMulti`
 * and, when the terminal says it is already enrolled (286064926), `updateMulti`; deletes by
 * `removeMulti`. Drift by startFind/doFind pages of up to 100. Writes to one terminal are
 * paced; refusals come back per entry as FailCodes in the terminal's words (288686087 no
 * face, 286064923 too large, 286064922 blurred).
 */
export class DahuaProvisioner extends VendorProvisioner<DahuaTerminal> {
  async drift(readerId: string, expected: readonly string[]): Promise<Drift> {
    const t = this.terminal(readerId);
    const users = await findAll(t.http, CGI.user, '');
    const onDevice = new Set(
      users.map((u) => stringField(u, 'UserID', 'UserID', 64)).filter((k) => k !== undefined),
    );
    const want = new Set(expected);
    return {
      orphans: [...onDevice].filter((k) => !want.has(k)),
      missing: expected.filter((k) => !onDevice.has(k)),
    };
  }

  async put(readerId: string, entry: LibraryEntry): Promise<EntryOutcome> {
    const t = this.terminal(readerId);
    const id = entry.key;
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id))
      return {
        ok: false,
        code: 'bad_person',
        message: 'the key is no UserID (1–32 letters, digits, - or _)',
      };
    const zone = t.options.utcOffsetMinutes;
    const user = {
      UserID: id,
      UserName: (entry.name ?? id).slice(0, 32),
      UserType: 0,
      UserStatus: 0,
      Authority: 2,
      Doors: [t.options.channel - 1],
      TimeSections: [255],
      ValidFrom: entry.validFrom == null ? ALWAYS_FROM : formatLocalTime(entry.validFrom, zone),
      ValidTo: entry.validTo == null ? ALWAYS_TO : formatLocalTime(entry.validTo, zone),
    };
    const u = await this.#upsert(t, CGI.user, { UserList: [user] });
    if (!u.ok) return refusal(u, 'AccessUser');
    const c = await this.#cards(t, id, entry.cards ?? []);
    if (!c.ok) return c;
    if (!entry.photo) return { ok: true };
    const f = await this.#upsert(t, CGI.face, {
      FaceList: [{ UserID: id, PhotoData: [entry.photo.data.toString('base64')] }],
    });
    return f.ok ? { ok: true } : refusal(f, 'AccessFace');
  }

  async remove(readerId: string, key: string): Promise<EntryOutcome> {
    const t = this.terminal(readerId);
    const q = `UserIDList[0]=${encodeURIComponent(key)}`;
    // The face first: firmware that keeps a deleted user's face would still match it.
    await this.#write(t, 'GET', `${CGI.face}?action=removeMulti&${q}`);
    const r = await this.#write(t, 'GET', `${CGI.user}?action=removeMulti&${q}`);
    return r.ok || /not ?found|no ?record/i.test(r.text)
      ? { ok: true }
      : refusal(r, 'AccessUser removeMulti');
  }

  async #cards(t: DahuaTerminal, id: string, uids: readonly string[]): Promise<EntryOutcome> {
    const want = new Set(uids.map((u) => terminalCardNo(u, t.options.cardFormat)));
    const held = await findAll(t.http, CGI.card, `&Condition.UserID=${encodeURIComponent(id)}`);
    const have = new Set(
      held.map((c) => stringField(c, 'CardNo', 'CardNo', 64)).filter((c) => c !== undefined),
    );
    for (const cardNo of have) {
      if (want.has(cardNo)) continue;
      const r = await this.#write(
        t,
        'GET',
        `${CGI.card}?action=removeMulti&CardNoList[0]=${encodeURIComponent(cardNo)}`,
      );
      if (!r.ok) return refusal(r, 'AccessCard removeMulti');
    }
    for (const cardNo of want) {
      if (have.has(cardNo)) continue;
      const r = await this.#write(t, 'POST', `${CGI.card}?action=insertMulti`, {
        CardList: [{ UserID: id, CardNo: cardNo, CardType: 0, CardStatus: 0 }],
      });
      if (!r.ok)
        return r.code === ALREADY_ENROLLED
          ? { ok: false, code: 'card_in_use', message: `${r.code} (AccessCard)` }
          : refusal(r, 'AccessCard');
    }
    return { ok: true };
  }

  /** insertMulti, then updateMulti when the terminal says the entry is already there. */
  async #upsert(t: DahuaTerminal, cgi: string, body: unknown): Promise<CgiResult> {
    const r = await this.#write(t, 'POST', `${cgi}?action=insertMulti`, body);
    if (r.ok || r.code !== ALREADY_ENROLLED) return r;
    return this.#write(t, 'POST', `${cgi}?action=updateMulti`, body);
  }

  /** One CGI write, paced (VendorProvisioner.paced). */
  #write(t: DahuaTerminal, method: 'GET' | 'POST', path: string, json?: unknown): Promise<CgiResult> {
    return this.paced(t, async () => {
      const r = await t.http.request(
        method,
        path,
        json === undefined
          ? {}
          : { body: JSON.stringify(json), headers: { 'content-type': 'application/json' } },
      );
      const text = r.body.toString('utf8');
      if (r.status === 200) return { ok: true, body: text };
      if (r.status >= 500 || r.status === 404)
        throw new GatewayError('TERMINAL_REFUSED', `${path.split('?')[0]} answered ${r.status}`, {
          status: r.status,
        });
      return { ok: false, code: failCode(text), text: text.slice(0, 200) };
    });
  }
}

/** The first FailCode of a refusal body (`detail.FailCodes`, or FailCodes at the top on other firmware). */
function failCode(text: string): number | null {
  try {
    const j = JSON.parse(text) as unknown;
    const codes = isObject(j) ? (isObject(j.detail) ? j.detail.FailCodes : j.FailCodes) : undefined;
    const first = Array.isArray(codes) ? codes.find((c) => typeof c === 'number' && c !== 0) : undefined;
    return typeof first === 'number' ? first : null;
  } catch {
    return null;
  }
}

function refusal(r: { code: number | null; text: string }, what: string): EntryOutcome {
  return {
    ok: false,
    code: r.code !== null ? (FAIL_CODES[r.code] ?? 'vendor_error') : 'vendor_error',
    message: r.code !== null ? `${r.code} (${what})` : `${r.text.trim() || 'refused'} (${what})`,
  };
}

/** Every entry of a startFind/doFind/stopFind search, pages of up to 100. */
async function findAll(
  http: DeviceHttp,
  cgi: string,
  condition: string,
): Promise<Array<Record<string, unknown>>> {
  const start = await http.request('GET', `${cgi}?action=startFind${condition}`);
  const s = json(start.body.toString('utf8'));
  if (start.status !== 200 || !s)
    throw new GatewayError('TERMINAL_REFUSED', `${cgi} startFind answered ${start.status}`);
  const token = typeof s.Token === 'number' ? s.Token : Number(s.Token);
  const total = typeof s.Total === 'number' ? s.Total : Number(s.Total ?? 0);
  const caps = Math.max(1, Math.min(FIND_PAGE, Number(s.Caps ?? FIND_PAGE) || FIND_PAGE));
  const out: Array<Record<string, unknown>> = [];
  try {
    while (out.length < total) {
      const r = await http.request(
        'GET',
        `${cgi}?action=doFind&Token=${token}&Offset=${out.length}&Count=${caps}`,
      );
      const page = json(r.body.toString('utf8'));
      const info = page && Array.isArray(page.Info) ? page.Info.filter(isObject) : [];
      if (r.status !== 200 || info.length === 0) break;
      out.push(...(info as Array<Record<string, unknown>>));
    }
  } finally {
    await http.request('GET', `${cgi}?action=stopFind&Token=${token}`).catch(() => undefined);
  }
  return out;
}

function json(text: string): Record<string, unknown> | null {
  try {
    const j = JSON.parse(text) as unknown;
    return isObject(j) ? (j as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
