/**
 * The alert queries of the API, and the WHERE builder the journal's queries share (the
 * journal's own SQL lives in gateway/pipeline/journal.ts).
 */
import type { Db } from './db.js';

/** Collects WHERE conditions whose value is given, with named parameters. */
export function conditions() {
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

/** One alert as the API shows it, its evidence parsed. */
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

/** Newest alerts first, filtered, paged by `beforeId`. */
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

/** One alert by id. */
export function getAlert(db: Db, id: string): AlertRow | undefined {
  const r = db.prepare(`${ALERT_SELECT} WHERE id = ?`).get(id) as Record<string, unknown> | undefined;
  return r ? { ...(r as unknown as AlertRow), evidence: JSON.parse(String(r.evidence)) } : undefined;
}
