import type { Statement } from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import type { Db } from '../store/db.js';

/** One thing a person or machine did, as the audit log keeps it (design.md §9). */
export interface AuditEvent {
  /** User name, `token:NAME` for API tokens, `cli:USER` for the command line. */
  actor: string;
  role?: string | null;
  /** Dotted verb: login.ok, login.failed, logout, household.view, alert.view, user.add, … */
  action: string;
  householdId?: string | null;
  caseId?: string | null;
  /** The user, alert or other object acted on. */
  target?: string | null;
  ip?: string | null;
  outcome?: 'ok' | 'refused' | 'failed';
  /** Small structured detail; never residents' personal data, never a password. */
  detail?: Record<string, unknown> | null;
}

/** A stored audit row with its time and sequence number. */
export interface AuditRow extends Required<Omit<AuditEvent, 'detail'>> {
  seq: number;
  ts: number;
  detail: Record<string, unknown> | null;
}

/** Filters of the audit list; `before` pages newest-first by seq. */
export interface AuditFilter {
  actor?: string;
  action?: string;
  householdId?: string;
  caseId?: string;
  since?: number;
  before?: number;
}

/** The append-only audit table. Writes are single-row inserts: cheap and synchronous. */
export class AuditLog {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #insert: Statement;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    this.#insert = db.prepare(
      `INSERT INTO audit(ts, actor, role, action, household_id, case_id, target, ip, outcome, detail)
       VALUES (@ts, @actor, @role, @action, @householdId, @caseId, @target, @ip, @outcome, @detail)`,
    );
  }

  /** Appends one event; returns its seq. */
  record(e: AuditEvent): number {
    return Number(
      this.#insert.run({
        ts: this.#clock.now(),
        actor: e.actor.slice(0, 80),
        role: e.role ?? null,
        action: e.action,
        householdId: e.householdId ?? null,
        caseId: e.caseId ?? null,
        target: e.target ?? null,
        ip: e.ip ?? null,
        outcome: e.outcome ?? 'ok',
        detail: e.detail ? JSON.stringify(e.detail) : null,
      }).lastInsertRowid,
    );
  }

  /** Newest first; every filter uses an index (audit_actor, audit_action, audit_household, audit_case). */
  list(f: AuditFilter, limit: number): AuditRow[] {
    const c: string[] = [];
    const p: Record<string, unknown> = {};
    const add = (cond: string, k: string, v: unknown) => {
      if (v === undefined || v === '') return;
      c.push(cond);
      p[k] = v;
    };
    add('actor = @actor', 'actor', f.actor);
    add('action = @action', 'action', f.action);
    add('household_id = @householdId', 'householdId', f.householdId);
    add('case_id = @caseId', 'caseId', f.caseId);
    add('ts >= @since', 'since', f.since);
    add('seq < @before', 'before', f.before);
    const sql = `SELECT seq, ts, actor, role, action, household_id AS householdId, case_id AS caseId, target, ip,
        outcome, detail FROM audit ${c.length ? `WHERE ${c.join(' AND ')}` : ''}
        ORDER BY seq DESC LIMIT ${Math.max(1, Math.min(limit, 500))}`;
    return (this.#db.prepare(sql).all(p) as Array<Record<string, unknown>>).map((r) => ({
      ...(r as unknown as AuditRow),
      detail: r.detail ? (JSON.parse(String(r.detail)) as Record<string, unknown>) : null,
    }));
  }
}
