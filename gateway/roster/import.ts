import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { parseDocument } from 'yaml';
import { normalizeCardUid } from '../../core/card-uid.js';
import {
  type CredentialKind,
  HOUSEHOLD_STATUSES,
  HOUSING_TYPES,
  type HouseholdStatus,
  type HousingType,
  RESIDENT_ROLES,
  RESIDENT_STATUSES,
  type ResidentRole,
  type ResidentStatus,
} from '../../core/codes.js';
import {
  hashIdNumber,
  idNumberProblem,
  maskIdNumber,
  maskPhone,
  normalizeIdNumber,
} from '../../core/id-number.js';
import { readTemplates } from './fingerprint-templates.js';
import { locateJsonPaths } from './json-locate.js';
import type { CredentialRow, FingerprintTemplate, Household, Resident, RosterSnapshot } from './model.js';

/** One bad row: where, which field, why. Nothing is imported while any exist. */
export interface RowError {
  /** 1-based line in the file. */
  line: number | null;
  field: string;
  reason: string;
  /** JSON files: where the field is, e.g. `households[12].residents[0].idNumber` (a one-line file has one line). */
  at?: string;
}

/** A resident row, flattened: household fields repeat on each of its residents. */
interface RawRow {
  line: number | null;
  household: Record<string, unknown>;
  resident: Record<string, unknown> | null;
}

/** CSV header, one row per resident (see docs/roster-import.md). */
export const CSV_COLUMNS = [
  'household_id',
  'building',
  'entrance',
  'room',
  'housing_type',
  'lease_start',
  'lease_end',
  'household_status',
  'resident_id',
  'role',
  'name',
  'id_number',
  'phone',
  'valid_from',
  'valid_to',
  'resident_status',
  'face_ids',
  'card_uids',
  'fingerprint_ids',
  'fingerprint_templates',
] as const;

const ALIASES: Record<string, Record<string, string>> = {
  housingType: {
    廉租: 'lianzu',
    廉租住房: 'lianzu',
    公租: 'gongzu',
    公租房: 'gongzu',
    公共租赁住房: 'gongzu',
    保租: 'baozu',
    保租房: 'baozu',
    保障性租赁住房: 'baozu',
    共有产权: 'gongyou',
    共有产权房: 'gongyou',
    共有产权保障住房: 'gongyou',
  },
  role: { 承租人: 'leaseholder', 同住人: 'co_resident', 共同居住人: 'co_resident' },
  residentStatus: { 在住: 'active', 已迁出: 'moved_out', 迁出: 'moved_out', 暂停: 'suspended' },
  householdStatus: { 在租: 'active', 空置: 'vacant', 终止: 'terminated', 已终止: 'terminated' },
};

const ID_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function str(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const s = String(v).trim();
  return s === '' ? null : s;
}

function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((x) => String(x).trim()).filter(Boolean);
  const s = str(v);
  return s
    ? s
        .split(/[|;]/)
        .map((x) => x.trim())
        .filter(Boolean)
    : [];
}

function isDate(s: string): boolean {
  if (!DATE_RE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

function rowsFromCsv(text: string): { rows: RawRow[]; errors: RowError[] } {
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parseCsv(text.replace(/^\uFEFF/, ''), {
      columns: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      relax_column_count: false,
    });
  } catch (err) {
    // csv-parse's message quotes the offending field, which can be a name or an ID number:
    // the error says where and what kind of problem, never the content (issue 9 item 9).
    const e = err as Error & { lines?: number; code?: string };
    return {
      rows: [],
      errors: [{ line: e.lines ?? null, field: '', reason: `not valid CSV: ${csvProblem(e.code)}` }],
    };
  }
  const errors: RowError[] = [];
  const first = records[0];
  if (first) {
    for (const c of ['household_id', 'building', 'room', 'housing_type', 'resident_id', 'role', 'name']) {
      if (!(c in first.record)) errors.push({ line: 1, field: c, reason: 'column missing from the header' });
    }
  }
  const rows = records.map(({ record: r, info }) => ({
    line: info.lines,
    household: {
      id: r.household_id,
      building: r.building,
      entrance: r.entrance,
      room: r.room,
      housingType: r.housing_type,
      leaseStart: r.lease_start,
      leaseEnd: r.lease_end,
      status: r.household_status,
    },
    resident: str(r.resident_id)
      ? {
          id: r.resident_id,
          role: r.role,
          name: r.name,
          idNumber: r.id_number,
          phone: r.phone,
          validFrom: r.valid_from,
          validTo: r.valid_to,
          status: r.resident_status,
          credentials: {
            face: list(r.face_ids),
            card: list(r.card_uids),
            fingerprint: list(r.fingerprint_ids),
            fingerprintTemplates: r.fingerprint_templates,
          },
        }
      : null,
  }));
  return { rows, errors };
}

function rowsFromJson(text: string): {
  rows: RawRow[];
  errors: RowError[];
  version?: string;
  names: Map<string, string>;
} {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const line = jsonErrorLine(text, err as Error);
    return {
      rows: [],
      // Node's message quotes the text around the error (a name, an ID number): not repeated.
      errors: [{ line, field: '', reason: 'not valid JSON (syntax error)' }],
      names: new Map(),
    };
  }
  const root = data as { version?: unknown; households?: unknown; buildings?: unknown };
  if (!root || typeof root !== 'object' || !Array.isArray(root.households)) {
    return {
      rows: [],
      errors: [
        { line: 1, field: 'households', reason: 'the file must be an object with a households array' },
      ],
      names: new Map(),
    };
  }
  const names = new Map<string, string>();
  if (Array.isArray(root.buildings)) {
    for (const b of root.buildings as Array<{ id?: unknown; name?: unknown }>) {
      const id = str(b?.id);
      if (id) names.set(id, str(b?.name) ?? id);
    }
  }
  const rows: RawRow[] = [];
  (root.households as unknown[]).forEach((h, hi) => {
    const hh = (h ?? {}) as Record<string, unknown>;
    const residents = Array.isArray(hh.residents) ? (hh.residents as unknown[]) : [];
    const path = `households[${hi}]`;
    if (residents.length === 0) rows.push({ line: null, household: { ...hh, _path: path }, resident: null });
    residents.forEach((r, ri) => {
      rows.push({
        line: null,
        household: { ...hh, _path: path },
        resident: { ...(r as object), _path: `${path}.residents[${ri}]` },
      });
    });
  });
  return { rows, errors: [], version: str(root.version) ?? undefined, names };
}

/** Files up to this size may be parsed as YAML to locate a JSON syntax error (~50× its size in heap). */
const YAML_LOCATE_MAX = 1 << 20;

/**
 * The line of a JSON syntax error. Node's messages do not always give a position; the
 * YAML parser (a JSON superset) locates the first error by line, but builds a tree of
 * the whole file: only for small files (a large roster would run out of heap, issue 10).
 */
function jsonErrorLine(text: string, err: Error): number | null {
  const m = /position (\d+)/.exec(String(err));
  if (m) return lineAt(text, Number(m[1]));
  if (/end of JSON input/.test(err.message)) return lineAt(text, text.trimEnd().length);
  if (text.length > YAML_LOCATE_MAX) return null;
  return parseDocument(text).errors[0]?.linePos?.[0]?.line ?? null;
}

/** The 1-based line of an offset, without splitting the text. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * Finds the line of each field cited in errors: the field itself when it is there, else
 * the object that lacks it. One pass over the text, bounded memory (json-locate.ts).
 */
function locateJsonLines(text: string, errors: Array<RowError & { path?: string }>): void {
  const want = (e: RowError & { path?: string }) => (e.path ? [`${e.path}.${e.field}`, e.path] : []);
  const lines = locateJsonPaths(text, new Set(errors.flatMap(want)));
  for (const e of errors) {
    if (e.line !== null) continue;
    for (const p of want(e)) {
      const l = lines.get(p);
      if (l !== undefined) {
        e.line = l;
        break;
      }
    }
  }
}

/**
 * Parses and validates a roster file (JSON or CSV, chosen by extension or content) into a
 * snapshot. ID numbers are checked (GB 11643), then kept only as a keyed hash and a masked
 * form. Any bad row → no snapshot, every problem listed.
 */
export function parseRoster(
  text: string,
  format: 'json' | 'csv',
  idHashKey: string,
): { snapshot: RosterSnapshot | null; errors: RowError[]; version?: string } {
  const src =
    format === 'json'
      ? rowsFromJson(text)
      : { ...rowsFromCsv(text), version: undefined, names: new Map<string, string>() };
  const errors: Array<RowError & { path?: string }> = [...src.errors];
  const households = new Map<string, Household & { _line: number | null }>();
  const residents: Resident[] = [];
  const residentIds = new Set<string>();
  const credentials: CredentialRow[] = [];
  const templates: FingerprintTemplate[] = [];
  const credOwner = new Map<string, string>();
  const leaseholders = new Map<string, string>();

  for (const row of src.rows) {
    const line = row.line;
    const fail = (field: string, reason: string, path?: string) => errors.push({ line, field, reason, path });
    const h = row.household;
    const hPath = typeof h._path === 'string' ? h._path : undefined;
    const hid = str(h.id);
    if (!hid || !ID_RE.test(hid)) {
      fail(
        format === 'csv' ? 'household_id' : 'id',
        hid ? 'must be letters, digits, _ . : - (≤ 64)' : 'required',
        hPath,
      );
      continue;
    }
    const building = str(h.building);
    const room = str(h.room);
    const housingRaw = str(h.housingType);
    const housingType = (housingRaw &&
      (ALIASES.housingType?.[housingRaw] ?? housingRaw)) as HousingType | null;
    const hStatusRaw = str(h.status) ?? 'active';
    const hStatus = (ALIASES.householdStatus?.[hStatusRaw] ?? hStatusRaw) as HouseholdStatus;
    const leaseStart = str(h.leaseStart);
    const leaseEnd = str(h.leaseEnd);
    const f = (csv: string, json: string) => (format === 'csv' ? csv : json);
    let ok = true;
    const failH = (field: string, reason: string, path?: string) => {
      ok = false;
      fail(field, reason, path);
    };
    if (!building || !ID_RE.test(building))
      failH('building', building ? 'must be letters, digits, _ . : -' : 'required', hPath);
    if (!room) failH('room', 'required', hPath);
    if (!housingType || !HOUSING_TYPES.includes(housingType)) {
      ok = false;
      fail(
        f('housing_type', 'housingType'),
        `must be one of ${HOUSING_TYPES.join(', ')} or 廉租/公租/保租/共有产权`,
        hPath,
      );
    }
    if (!HOUSEHOLD_STATUSES.includes(hStatus)) {
      failH(f('household_status', 'status'), `must be one of ${HOUSEHOLD_STATUSES.join(', ')}`, hPath);
    }
    for (const [name, v] of [
      [f('lease_start', 'leaseStart'), leaseStart],
      [f('lease_end', 'leaseEnd'), leaseEnd],
    ] as const) {
      if (v && !isDate(v)) failH(name, 'must be a date YYYY-MM-DD', hPath);
    }
    if (leaseStart && leaseEnd && isDate(leaseStart) && isDate(leaseEnd) && leaseStart > leaseEnd) {
      ok = false;
      fail(f('lease_end', 'leaseEnd'), 'is before the lease start', hPath);
    }
    const entrance = str(h.entrance);
    if (entrance && !ID_RE.test(entrance)) failH('entrance', 'must be letters, digits, _ . : -', hPath);
    if (ok) {
      const household = {
        id: hid,
        buildingId: building as string,
        entranceId: entrance,
        room: room as string,
        housingType: housingType as HousingType,
        leaseStart,
        leaseEnd,
        status: hStatus,
        _line: line,
      };
      const prev = households.get(hid);
      if (!prev) households.set(hid, household);
      else if (
        prev.buildingId !== household.buildingId ||
        prev.room !== household.room ||
        prev.housingType !== household.housingType ||
        prev.status !== household.status ||
        prev.entranceId !== household.entranceId
      ) {
        fail(
          f('household_id', 'id'),
          `household ${hid} has different building/room/type/status than on line ${prev._line ?? '?'}`,
          hPath,
        );
      }
    }

    const r = row.resident;
    if (!r) continue;
    const rPath = typeof r._path === 'string' ? r._path : undefined;
    const rf = (csv: string, json: string) => (format === 'csv' ? csv : json);
    const rid = str(r.id);
    if (!rid || !ID_RE.test(rid)) {
      fail(rf('resident_id', 'id'), rid ? 'must be letters, digits, _ . : - (≤ 64)' : 'required', rPath);
      continue;
    }
    if (residentIds.has(rid)) fail(rf('resident_id', 'id'), `duplicate resident id ${rid}`, rPath);
    residentIds.add(rid);
    const roleRaw = str(r.role);
    const role = (roleRaw && (ALIASES.role?.[roleRaw] ?? roleRaw)) as ResidentRole | null;
    if (!role || !RESIDENT_ROLES.includes(role))
      fail('role', 'must be leaseholder or co_resident (承租人/同住人)', rPath);
    const name = str(r.name);
    if (!name) fail('name', 'required', rPath);
    const statusRaw = str(r.status) ?? 'active';
    const status = (ALIASES.residentStatus?.[statusRaw] ?? statusRaw) as ResidentStatus;
    if (!RESIDENT_STATUSES.includes(status))
      fail(rf('resident_status', 'status'), `must be one of ${RESIDENT_STATUSES.join(', ')}`, rPath);
    const validFrom = str(r.validFrom);
    const validTo = str(r.validTo);
    if (validFrom && !isDate(validFrom))
      fail(rf('valid_from', 'validFrom'), 'must be a date YYYY-MM-DD', rPath);
    if (validTo && !isDate(validTo)) fail(rf('valid_to', 'validTo'), 'must be a date YYYY-MM-DD', rPath);
    if (validFrom && validTo && validFrom > validTo)
      fail(rf('valid_to', 'validTo'), 'is before valid_from', rPath);
    const idRaw = str(r.idNumber);
    let idHash: string | null = null;
    let idMasked: string | null = null;
    if (idRaw) {
      const problem = idNumberProblem(idRaw);
      if (problem === 'format')
        fail(rf('id_number', 'idNumber'), 'must be 17 digits and a digit or X', rPath);
      else if (problem === 'birth_date')
        fail(rf('id_number', 'idNumber'), 'birth date in the number is not a real date', rPath);
      else if (problem === 'check_digit')
        fail(rf('id_number', 'idNumber'), 'check digit does not match (GB 11643)', rPath);
      else {
        idHash = hashIdNumber(idHashKey, idRaw);
        idMasked = maskIdNumber(normalizeIdNumber(idRaw));
      }
    }
    const phone = str(r.phone);
    if (phone && !/^\+?[\d\s-]{5,20}$/.test(phone)) fail('phone', 'must be a phone number', rPath);
    if (role === 'leaseholder' && status === 'active') {
      const other = leaseholders.get(hid);
      if (other) fail('role', `household ${hid} already has an active leaseholder (${other})`, rPath);
      else leaseholders.set(hid, rid);
    }
    const creds = (r.credentials ?? {}) as Record<string, unknown>;
    const add = (kind: CredentialKind, key: string, field: string) => {
      const k = `${kind}:${key}`;
      const owner = credOwner.get(k);
      if (owner && owner !== rid)
        fail(
          field,
          `${kind} ${kind === 'idcard' ? '(ID number)' : key} is already given to resident ${owner}`,
          rPath,
        );
      else if (!owner) {
        credOwner.set(k, rid);
        credentials.push({ kind, key, residentId: rid });
      }
    };
    for (const face of list(creds.face)) {
      if (!ID_RE.test(face))
        fail(rf('face_ids', 'credentials.face'), `face id "${face}" must be letters, digits, _ . : -`, rPath);
      else add('face', face, rf('face_ids', 'credentials.face'));
    }
    for (const card of list(creds.card)) {
      const uid = normalizeCardUid(card);
      if (!uid) fail(rf('card_uids', 'credentials.card'), 'card UID must be 4–32 hex digits', rPath);
      else add('card', uid, rf('card_uids', 'credentials.card'));
    }
    const fpIds = new Set(list(creds.fingerprint));
    for (const fp of fpIds) {
      if (!ID_RE.test(fp))
        fail(rf('fingerprint_ids', 'credentials.fingerprint'), `template id "${fp}" is not valid`, rPath);
      else add('fingerprint', fp, rf('fingerprint_ids', 'credentials.fingerprint'));
    }
    // A template is enrolled at the page its id names; the id is a fingerprint credential
    // whether or not fingerprint_ids repeats it.
    const tpl = readTemplates(creds.fingerprintTemplates, format);
    for (const p of tpl.problems) fail(p.field, p.reason, rPath);
    for (const e of tpl.entries) {
      if (!fpIds.has(e.id)) add('fingerprint', e.id, rf('fingerprint_templates', 'credentials.fingerprint'));
      templates.push({ key: e.id, residentId: rid, template: e.template });
    }
    if (idHash) add('idcard', idHash, rf('id_number', 'idNumber'));
    residents.push({
      id: rid,
      householdId: hid,
      role: role as ResidentRole,
      name: name ?? '',
      idHash,
      idMasked,
      phoneMasked: phone ? maskPhone(phone) : null,
      validFrom,
      validTo,
      status,
    });
  }

  if (format === 'json' && errors.some((e) => e.path)) locateJsonLines(text, errors);
  if (errors.length > 0)
    return {
      snapshot: null,
      errors: errors.map(({ path, ...e }) =>
        path ? { ...e, at: e.field ? `${path}.${e.field}` : path } : e,
      ),
      version: src.version,
    };

  const buildingIds = new Set<string>();
  const entrances = new Map<string, { id: string; buildingId: string; name: string }>();
  for (const h of households.values()) {
    buildingIds.add(h.buildingId);
    if (h.entranceId)
      entrances.set(h.entranceId, { id: h.entranceId, buildingId: h.buildingId, name: h.entranceId });
  }
  return {
    snapshot: {
      buildings: [...buildingIds].map((id) => ({ id, name: src.names.get(id) ?? id })),
      entrances: [...entrances.values()],
      households: [...households.values()].map(({ _line, ...h }) => h),
      residents,
      credentials,
      fingerprintTemplates: templates,
    },
    errors: [],
    version: src.version,
  };
}

/** Reads a roster file from disk; the format follows the extension (.json / .csv). */
export function readRosterFile(file: string, idHashKey: string): ReturnType<typeof parseRoster> {
  const text = readFileSync(file, 'utf8');
  const format = file.toLowerCase().endsWith('.csv')
    ? 'csv'
    : file.toLowerCase().endsWith('.json')
      ? 'json'
      : text.trimStart().startsWith('{')
        ? 'json'
        : 'csv';
  return parseRoster(text, format, idHashKey);
}

/** What a csv-parse error code means, in words that quote nothing of the file. */
function csvProblem(code: string | undefined): string {
  switch (code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH':
      return 'a row has a different number of fields than the header';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is not closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a closing quote is followed by other characters';
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'characters after a closing quote';
    case 'CSV_INVALID_OPENING_QUOTE':
      return 'a quote inside an unquoted field';
    default:
      return code ? `syntax error (${code})` : 'syntax error';
  }
}
