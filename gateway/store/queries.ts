import type { Db } from './db.js';

/** One journal entry with its decision, as the API and the export show it. */
export interface EntryRow {
  seq: number;
  ts: number;
  readerId: string;
  doorId: string;
  direction: 'in' | 'out';
  type: string;
  score: number | null;
  offline: boolean;
  stale: boolean;
  thumb: string | null;
  outcome: 'granted' | 'denied';
  answer: 'unlock' | 'deny' | null;
  reasons: string[];
  residentId: string | null;
  householdId: string | null;
}

export interface EntryFilter {
  since?: number;
  until?: number;
  readerId?: string;
  doorId?: string;
  householdId?: string;
  outcome?: 'granted' | 'denied';
  /** Cursor: only entries with seq below this (newest-first paging). */
  before?: number;
  /** Cursor: only entries with seq above this (oldest-first export). */
  after?: number;
}

const SELECT = `SELECT j.seq, j.ts, j.reader_id AS readerId, j.door_id AS doorId, j.direction, j.type, j.score,
       j.offline, j.stale, j.thumb, d.outcome, d.answer, d.reasons, d.resident_id AS residentId,
       d.household_id AS householdId
  FROM journal j JOIN decisions d ON d.seq = j.seq`;

/** Collects WHERE conditions whose value is given, with named parameters. */
function conditions() {
  const c: string[] = [];
  const params: Record<string, unknown> = {};
  return {
    params,
    add(cond: string, key: string, v: unknown): void {
      if (v === undefined || v === null || v === '') return;
      c.push(cond);
      params[key] = v;
    },
    get sql(): string {
      return c.length ? ` WHERE ${c.join(' AND ')}` : '';
    },
  };
}

function where(f: EntryFilter): { sql: string; params: Record<string, unknown> } {
  const w = conditions();
  const add = w.add;
  add('j.ts >= @since', 'since', f.since);
  add('j.ts < @until', 'until', f.until);
  add('j.reader_id = @readerId', 'readerId', f.readerId);
  add('j.door_id = @doorId', 'doorId', f.doorId);
  add('d.household_id = @householdId', 'householdId', f.householdId);
  add('d.outcome = @outcome', 'outcome', f.outcome);
  add('j.seq < @before', 'before', f.before);
  add('j.seq > @after', 'after', f.after);
  return { sql: w.sql, params: w.params };
}

function toEntry(r: Record<string, unknown>): EntryRow {
  return {
    seq: r.seq as number,
    ts: r.ts as number,
    readerId: r.readerId as string,
    doorId: r.doorId as string,
    direction: r.direction as 'in' | 'out',
    type: r.type as string,
    score: (r.score as number | null) ?? null,
    offline: r.offline === 1,
    stale: r.stale === 1,
    thumb: (r.thumb as string | null) ?? null,
    outcome: r.outcome as 'granted' | 'denied',
    answer: (r.answer as 'unlock' | 'deny' | null) ?? null,
    reasons: String(r.reasons).split(' ').filter(Boolean),
    residentId: (r.residentId as string | null) ?? null,
    householdId: (r.householdId as string | null) ?? null,
  };
}

/** Newest entries first, paged by `before`. */
export function listEntries(db: Db, f: EntryFilter, limit: number): EntryRow[] {
  const w = where(f);
  return (
    db
      .prepare(`${SELECT}${w.sql} ORDER BY j.seq DESC LIMIT ${Math.max(1, Math.min(limit, 1000))}`)
      .all(w.params) as Array<Record<string, unknown>>
  ).map(toEntry);
}

/** Every matching entry, oldest first, streamed (exports of any size in flat memory). */
export function* iterateEntries(db: Db, f: EntryFilter): Generator<EntryRow> {
  const w = where(f);
  for (const r of db.prepare(`${SELECT}${w.sql} ORDER BY j.seq`).iterate(w.params))
    yield toEntry(r as Record<string, unknown>);
}

export interface AlertRow {
  id: string;
  kind: string;
  severity: string;
  state: string;
  householdId: string | null;
  residentId: string | null;
  doorId: string | null;
  readerId: string | null;
  firstTs: number;
  lastTs: number;
  count: number;
  evidence: unknown;
}

const ALERT_SELECT = `SELECT id, kind, severity, state, household_id AS householdId, resident_id AS residentId,
  door_id AS doorId, reader_id AS readerId, first_ts AS firstTs, last_ts AS lastTs, count, evidence FROM alerts`;

export function listAlerts(
  db: Db,
  f: { state?: string; kind?: string; householdId?: string; beforeId?: string },
  limit: number,
): AlertRow[] {
  const w = conditions();
  const add = w.add;
  add('state = @state', 'state', f.state);
  add('kind = @kind', 'kind', f.kind);
  add('household_id = @householdId', 'householdId', f.householdId);
  add('id < @beforeId', 'beforeId', f.beforeId);
  const sql = `${ALERT_SELECT}${w.sql} ORDER BY id DESC LIMIT ${Math.max(1, Math.min(limit, 500))}`;
  return (db.prepare(sql).all(w.params) as Array<Record<string, unknown>>).map((r) => ({
    ...(r as unknown as AlertRow),
    evidence: JSON.parse(String(r.evidence)),
  }));
}

export function getAlert(db: Db, id: string): AlertRow | undefined {
  const r = db.prepare(`${ALERT_SELECT} WHERE id = ?`).get(id) as Record<string, unknown> | undefined;
  return r ? { ...(r as unknown as AlertRow), evidence: JSON.parse(String(r.evidence)) } : undefined;
}
