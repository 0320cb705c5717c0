/**
 * Dahua's text forms, both ways (the simulator writes with these, the driver reads):
 * `key=value` lines with dotted, indexed keys (`records[0].RecNo=12`,
 * `Events[0].Data.ImageInfo[1].Offset=0`), the attach stream's
 * `Code=AccessControl;action=Pulse;index=0;data={json}`, and the JSON `info` of a push.
 * Reading never throws: what is not an event comes back as an error with a reason.
 */
import { isObject } from '../http/fields.js';

/** An event as Dahua names its parts, before the driver reads its fields. */
export interface RawDahuaEvent {
  code: string;
  action: string;
  index: number;
  data: Readonly<Record<string, unknown>>;
}

/** What one text part was. */
export type TextEvents =
  | { ok: true; kind: 'events'; events: RawDahuaEvent[]; time?: string }
  | { ok: true; kind: 'heartbeat' }
  | { ok: false; reason: 'not_json' | 'bad_field'; detail: string };

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** The highest `[i]` a key may carry: more records or images than any terminal sends at once. */
const MAX_INDEX = 10_000;

/** `key=value` lines → an object; later keys win. Lines without `=` are skipped. */
export function parseKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

/** Dotted, indexed keys → nested objects and arrays (`a[0].b=1` → `{a:[{b:"1"}]}`); values stay strings. */
export function nest(kv: Readonly<Record<string, string>>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(kv)) {
    const path = key.split('.').flatMap((seg) => {
      const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(seg);
      if (!m) return [seg];
      return [m[1] as string, ...[...(m[2] ?? '').matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]))];
    });
    // Keys come from the terminal: no prototype keys, no index that would make a huge sparse array.
    if (path.some((k) => (typeof k === 'number' ? k > MAX_INDEX : UNSAFE_KEYS.has(k)))) continue;
    let node: Record<string | number, unknown> = root;
    for (let i = 0; i < path.length - 1; i++) {
      const k = path[i] as string | number;
      const nextIsIndex = typeof path[i + 1] === 'number';
      if (typeof node[k] !== 'object' || node[k] === null) node[k] = nextIsIndex ? [] : {};
      node = node[k] as Record<string | number, unknown>;
    }
    node[path.at(-1) as string | number] = value;
  }
  return root;
}

/** Flattens an object to Dahua's `key=value` lines (the simulator's records and snap events). */
export function flatten(o: unknown, prefix = ''): string[] {
  if (Array.isArray(o)) return o.flatMap((v, i) => flatten(v, `${prefix}[${i}]`));
  if (isObject(o)) return Object.entries(o).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
  return [`${prefix}=${o === null || o === undefined ? '' : String(o)}`];
}

/** The attach stream's one-line form of an event. */
export function attachLine(e: RawDahuaEvent): string {
  return `Code=${e.code};action=${e.action};index=${e.index};data=${JSON.stringify(e.data)}`;
}

/**
 * One text part of a stream or push: `Heartbeat`; the `Code=…;data={json}` line (data may
 * span lines); `key=value` lines of a snap event (`Events[i].…`); or the push's JSON `info`.
 */
export function parseEventText(text: string): TextEvents {
  const t = text.trim();
  if (/^heartbeat$/i.test(t)) return { ok: true, kind: 'heartbeat' };
  if (t.startsWith('{')) return parseInfo(t);
  if (/^Code=/i.test(t)) return parseCodeLine(t);
  const nested = nest(parseKeyValues(t));
  const events = Array.isArray(nested.Events) ? nested.Events : null;
  if (!events)
    return {
      ok: false,
      reason: 'bad_field',
      detail: 'text part is no Dahua event (no Code=, Events[] or JSON)',
    };
  const out: RawDahuaEvent[] = [];
  for (const e of events) {
    if (!isObject(e)) continue;
    const base = isObject(e.EventBaseInfo) ? e.EventBaseInfo : e;
    const code = base.Code;
    if (typeof code !== 'string') return { ok: false, reason: 'bad_field', detail: 'Events[].Code missing' };
    out.push({
      code,
      action: String(base.Action ?? 'Pulse'),
      index: Number(base.Index ?? 0) || 0,
      data: isObject(e.Data) ? e.Data : {},
    });
  }
  return { ok: true, kind: 'events', events: out };
}

function parseCodeLine(t: string): TextEvents {
  const field = (k: string) => new RegExp(`(?:^|;)\\s*${k}=([^;]*)`, 'i').exec(t)?.[1]?.trim();
  const dataAt = t.search(/;\s*data=/i);
  let data: unknown = {};
  if (dataAt >= 0) {
    const raw = t.slice(t.indexOf('=', dataAt) + 1).trim();
    try {
      data = JSON.parse(raw);
    } catch {
      return { ok: false, reason: 'not_json', detail: 'the data= of the event is not JSON' };
    }
  }
  if (!isObject(data))
    return { ok: false, reason: 'bad_field', detail: 'the data= of the event is not an object' };
  return {
    ok: true,
    kind: 'events',
    events: [
      {
        code: field('Code') ?? '',
        action: field('action') ?? 'Pulse',
        index: Number(field('index') ?? 0) || 0,
        data,
      },
    ],
  };
}

function parseInfo(t: string): TextEvents {
  let j: unknown;
  try {
    j = JSON.parse(t);
  } catch {
    return { ok: false, reason: 'not_json', detail: 'info part is not JSON' };
  }
  if (!isObject(j) || !Array.isArray(j.Events))
    return { ok: false, reason: 'bad_field', detail: 'info without Events[]' };
  const events: RawDahuaEvent[] = [];
  for (const e of j.Events) {
    if (!isObject(e) || typeof e.Code !== 'string')
      return { ok: false, reason: 'bad_field', detail: 'Events[].Code missing' };
    events.push({
      code: e.Code,
      action: typeof e.Action === 'string' ? e.Action : 'Pulse',
      index: typeof e.Index === 'number' ? e.Index : 0,
      data: isObject(e.Data) ? e.Data : {},
    });
  }
  // One firmware spells the key `TIme`.
  const time = typeof j.Time === 'string' ? j.Time : typeof j.TIme === 'string' ? j.TIme : undefined;
  return { ok: true, kind: 'events', events, ...(time ? { time } : {}) };
}

/** The records of a recordFinder reply (`found=N`, `records[i].…`), each as its fields. */
export function parseRecords(
  text: string,
): { found: number; records: Array<Record<string, unknown>> } | null {
  const kv = parseKeyValues(text);
  if (kv.found === undefined || !/^\d+$/.test(kv.found)) return null;
  const nested = nest(kv);
  const records = Array.isArray(nested.records) ? nested.records.filter(isObject) : [];
  return { found: Number(kv.found), records: records as Array<Record<string, unknown>> };
}
