import { randomUUID } from 'node:crypto';
import { GatewayError } from '../../core/errors.js';
import type { DeviceHttp } from '../http/device-http.js';
import { isObject } from '../http/fields.js';
import { BUSY, SEARCH_PAGE } from './constants.js';
import { parseResponseStatus, type ResponseStatus } from './wire.js';

/** A write's answer: done, or the terminal's refusal in its own words. */
export type IsapiResult = { ok: true; json: unknown } | { ok: false; status: ResponseStatus; http: number };

/** Tries of a write the terminal says it is too busy for (it models faces one at a time). */
const BUSY_TRIES = 3;

/**
 * One ISAPI call with a JSON (or multipart) body. A reply with a ResponseStatus other than
 * OK is the terminal's refusal, returned for the caller to judge per entry; a reply with
 * none (a proxy's page, a 500 without body) or no reply at all throws, which ends a sync
 * run for the terminal until its next trigger.
 */
export async function isapi(
  http: DeviceHttp,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: { json: unknown } | { raw: Buffer; contentType: string },
): Promise<IsapiResult> {
  const payload =
    body === undefined
      ? undefined
      : 'json' in body
        ? { body: JSON.stringify(body.json), headers: { 'content-type': 'application/json' } }
        : { body: body.raw, headers: { 'content-type': body.contentType } };
  for (let attempt = 1; ; attempt++) {
    const r = await http.request(method, path, payload);
    const text = r.body.toString('utf8');
    const status = parseResponseStatus(text);
    if (r.status === 200 && (status === null || status.statusCode === 1)) {
      let json: unknown = null;
      try {
        json = text.trim().startsWith('{') ? JSON.parse(text) : null;
      } catch {
        throw new GatewayError(
          'BAD_REPLY',
          `${path.split('?')[0]} answered 200 with a body that is not JSON`,
        );
      }
      return { ok: true, json };
    }
    const busy = r.status === 503 || (status !== null && BUSY.has(status.subStatusCode));
    if (busy && attempt < BUSY_TRIES) {
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
      continue;
    }
    if (busy) throw new GatewayError('TERMINAL_BUSY', `the terminal stayed busy for ${path.split('?')[0]}`);
    // A resource this firmware lacks: said as ISAPI says it, so callers can fall back to an older one.
    if (status === null && r.status === 404)
      return {
        ok: false,
        http: 404,
        status: {
          statusCode: 4,
          statusString: 'Invalid Operation',
          subStatusCode: 'notSupport',
          errorMsg: '',
        },
      };
    if (status === null)
      throw new GatewayError(
        'TERMINAL_REFUSED',
        `${path.split('?')[0]} answered ${r.status} without a status`,
        {
          status: r.status,
        },
      );
    return { ok: false, status, http: r.status };
  }
}

/**
 * Reads every page of a search (UserInfo, CardInfo: at most 30 a page) and returns the
 * entries of `listKey` in the reply's `rootKey`.
 */
export async function searchAll(
  http: DeviceHttp,
  path: string,
  condKey: string,
  cond: Record<string, unknown>,
  rootKey: string,
  listKey: string,
): Promise<Array<Record<string, unknown>>> {
  const searchID = randomUUID();
  const out: Array<Record<string, unknown>> = [];
  // A terminal holds some thousands of persons; the cap only stops one that says MORE forever.
  for (let page = 0; page < 2000; page++) {
    const r = await isapi(http, 'POST', path, {
      json: { [condKey]: { searchID, searchResultPosition: out.length, maxResults: SEARCH_PAGE, ...cond } },
    });
    if (!r.ok) {
      // Nothing matched is a refusal on some firmware, an empty list on others.
      if (/noMatch|NO ?MATCH/i.test(`${r.status.subStatusCode} ${r.status.statusString}`)) return out;
      throw new GatewayError(
        'TERMINAL_REFUSED',
        `${path.split('?')[0]}: ${r.status.subStatusCode || r.status.statusString}`,
      );
    }
    const root = isObject(r.json) ? r.json[rootKey] : undefined;
    if (!isObject(root))
      throw new GatewayError('BAD_REPLY', `${path.split('?')[0]} reply without ${rootKey}`);
    const list = Array.isArray(root[listKey]) ? (root[listKey] as unknown[]).filter(isObject) : [];
    out.push(...(list as Array<Record<string, unknown>>));
    if (root.responseStatusStrg !== 'MORE' || list.length === 0) return out;
  }
  throw new GatewayError('BAD_REPLY', `${path.split('?')[0]} never finished its pages`);
}
