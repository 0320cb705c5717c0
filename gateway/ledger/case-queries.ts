import { type CaseKind, type CaseSource, type CaseState, isCode, label } from '../../core/codes.js';
import type { Db } from '../store/db.js';

/** One case as stored. */
export interface CaseRow {
  id: string;
  kind: CaseKind;
  source: CaseSource;
  state: CaseState;
  householdId: string | null;
  buildingId: string | null;
  subject: string | null;
  alertId: string | null;
  patternTs: number | null;
  detectedTs: number;
  lastTs: number;
  deadline: number | null;
  summary: string;
  evidence: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

/** One step of a case's timeline. */
export interface CaseEvent {
  seq: number;
  state: CaseState;
  prev: CaseState | null;
  actor: string;
  at: number;
  note: string | null;
  deadline: number | null;
}

const SELECT = `SELECT id, kind, source, state, household_id AS householdId, building_id AS buildingId, subject,
  alert_id AS alertId, pattern_ts AS patternTs, detected_ts AS detectedTs, last_ts AS lastTs, deadline, summary,
  evidence, created_at AS createdAt, updated_at AS updatedAt FROM cases`;

function toCase(r: Record<string, unknown>): CaseRow {
  return { ...(r as unknown as CaseRow), evidence: JSON.parse(String(r.evidence)) };
}

/** One case, or undefined. */
export function getCase(db: Db, id: string): CaseRow | undefined {
  const r = db.prepare(`${SELECT} WHERE id = ?`).get(id) as Record<string, unknown> | undefined;
  return r ? toCase(r) : undefined;
}

/** Filters of listCases; `before` is the id cursor (newest first). */
export interface CaseFilter {
  state?: string;
  kind?: string;
  householdId?: string;
  buildingId?: string;
  alertId?: string;
  before?: string;
}

/** Cases newest first, paged by id. */
export function listCases(db: Db, f: CaseFilter, limit: number): CaseRow[] {
  const where: string[] = [];
  const p: Record<string, unknown> = {};
  const add = (cond: string, k: string, v: unknown) => {
    if (v === undefined || v === '') return;
    where.push(cond);
    p[k] = v;
  };
  add('state = @state', 'state', f.state);
  add('kind = @kind', 'kind', f.kind);
  add('household_id = @householdId', 'householdId', f.householdId);
  add('building_id = @buildingId', 'buildingId', f.buildingId);
  add('alert_id = @alertId', 'alertId', f.alertId);
  add('id < @before', 'before', f.before);
  const sql = `${SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${Math.max(1, Math.min(limit, 500))}`;
  return (db.prepare(sql).all(p) as Array<Record<string, unknown>>).map(toCase);
}

/** The timeline of a case, oldest first. */
export function caseTimeline(db: Db, id: string): CaseEvent[] {
  return db
    .prepare(
      'SELECT seq, state, prev, actor, at, note, deadline FROM case_events WHERE case_id = ? ORDER BY seq',
    )
    .all(id) as CaseEvent[];
}

/** The Chinese name of a case's kind; a kind this version does not know reads as 其他违规. */
export function caseKindLabel(kind: string): string {
  return label('caseKind', isCode('caseKind', kind) ? kind : 'other');
}

/** The `data` of a case CloudEvent: ids, states, labels; references, never images. */
export function caseData(c: CaseRow): Record<string, unknown> {
  return {
    caseId: c.id,
    kind: c.kind,
    label: caseKindLabel(c.kind),
    source: c.source,
    state: c.state,
    stateLabel: label('caseState', c.state),
    householdId: c.householdId,
    buildingId: c.buildingId,
    alertId: c.alertId,
    summary: c.summary,
    detectedTime: new Date(c.detectedTs).toISOString(),
  };
}
