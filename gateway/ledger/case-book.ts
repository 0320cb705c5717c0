import type { Statement } from 'better-sqlite3';
import type { Logger } from 'pino';
import { cloudEvent } from '../../core/cloudevent.js';
import type { CaseKind, CaseSource, CaseState } from '../../core/codes.js';
import { GatewayError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { AlertRecord } from '../alerts/alert-manager.js';
import type { Finding } from '../alerts/per-entry.js';
import type { Store } from '../store/store.js';
import { CLASS_ALERT, type Outbox } from '../upstream/outbox.js';
import { type CaseRow, caseData, getCase } from './case-queries.js';
import { transitionProblem } from './states.js';

/** Who did it: an operator's principal name, or `system` for the gateway itself. */
export interface Actor {
  name: string;
}

/** A case opened by hand: from a tip (举报投诉) or a patrol that found a violation. */
export interface ManualCase {
  kind: CaseKind;
  source: Exclude<CaseSource, 'detector'>;
  householdId: string | null;
  buildingId: string | null;
  summary: string;
  evidence: Record<string, unknown>;
  /** Event time of what was reported. */
  ts: number;
}

/**
 * The ledger: opens a case for every new finding (the alert manager calls onFinding inside
 * the same transaction), moves cases through the states of states.ts recording who, when,
 * a note and a deadline, and sends every move upstream as a CloudEvent `estate.case.{state}`
 * through the outbox (the same envelope and delivery as alerts). A closed case's finding is
 * forgotten by the alert manager itself (it reads the case state), so the ledger needs no
 * way back to it. Statements are prepared on first use: it is built before the store opens.
 */
export class CaseBook {
  readonly #store: Store;
  readonly #outbox: Outbox;
  readonly #source: string;
  readonly #log: Logger;

  constructor(store: Store, outbox: Outbox, source: string, log: Logger) {
    this.#store = store;
    this.#outbox = outbox;
    this.#source = source;
    this.#log = log;
  }

  /** Opens a case for a new finding, or updates the case of a finding reported again (FindingHook). */
  onFinding(a: AlertRecord, f: Finding, isNew: boolean, now: number): void {
    if (!isNew) {
      this.#store
        .statement(
          'UPDATE cases SET last_ts = ?, summary = ?, evidence = ?, updated_at = ? WHERE alert_id = ?',
        )
        .run(a.lastTs, f.summary, JSON.stringify(f.chain), now, a.id);
      return;
    }
    const id = newId('cs', now);
    this.#insert().run({
      id,
      kind: a.kind,
      source: 'detector',
      householdId: a.householdId,
      buildingId: f.buildingId,
      subject: a.subject,
      alertId: a.id,
      patternTs: f.patternTs,
      detectedTs: a.firstTs,
      lastTs: a.lastTs,
      summary: f.summary,
      evidence: JSON.stringify(f.chain),
      now,
    });
    this.#moved(id, 'open', null, { name: 'system' }, now, null, undefined);
  }

  /** Opens a case by hand (tip, patrol). Runs in its own transaction unless inside one. */
  open(m: ManualCase, actor: Actor, now: number): CaseRow {
    const id = newId('cs', now);
    const db = this.#store.db;
    db.transaction(() => {
      this.#insert().run({
        id,
        kind: m.kind,
        source: m.source,
        householdId: m.householdId,
        buildingId: m.buildingId,
        subject: `${m.source}:${id}`,
        alertId: null,
        patternTs: m.ts,
        detectedTs: m.ts,
        lastTs: m.ts,
        summary: m.summary,
        evidence: JSON.stringify(m.evidence),
        now,
      });
      this.#moved(id, 'open', null, actor, now, null, undefined);
    })();
    return getCase(db, id) as CaseRow;
  }

  /**
   * Moves a case. Throws GatewayError NOT_FOUND, or BAD_TRANSITION with a message naming
   * the allowed moves. `extra` runs inside the same transaction (the hand-over package);
   * `detail` goes into the move's CloudEvent data (the enforcement office's result).
   */
  transition(
    id: string,
    to: string,
    actor: Actor,
    note: string | null,
    deadline: number | undefined,
    now: number,
    extra?: (c: CaseRow) => void,
    detail?: Record<string, unknown>,
  ): CaseRow {
    const db = this.#store.db;
    return db.transaction(() => {
      const c = getCase(db, id);
      if (!c) throw new GatewayError('NOT_FOUND', `no case ${id}`);
      const problem = transitionProblem(c.state, to, deadline, now);
      if (problem) throw new GatewayError('BAD_TRANSITION', problem, { from: c.state, to });
      const state = to as CaseState;
      this.#store
        .statement('UPDATE cases SET state = ?, deadline = ?, updated_at = ? WHERE id = ?')
        .run(state, state === 'rectification_ordered' ? (deadline ?? null) : c.deadline, now, id);
      if (c.alertId)
        this.#store
          .statement('UPDATE alerts SET state = ?, updated_at = ? WHERE id = ?')
          .run(state, now, c.alertId);
      this.#moved(id, state, c.state, actor, now, note, deadline, detail);
      const after = getCase(db, id) as CaseRow;
      extra?.(after);
      return after;
    })();
  }

  /**
   * Cases whose rectification deadline passed become overdue (a reminder upstream and in
   * the log: case id and household only). Returns the cases moved.
   */
  checkOverdue(now: number): string[] {
    const due = this.#store
      .statement("SELECT id FROM cases WHERE state = 'rectification_ordered' AND deadline < ?")
      .pluck()
      .all(now) as string[];
    for (const id of due) {
      const c = this.transition(
        id,
        'overdue',
        { name: 'system' },
        '整改期限已过 (deadline passed)',
        undefined,
        now,
      );
      this.#log.warn(
        { case: id, household: c.householdId, kind: c.kind },
        'rectification deadline passed: case overdue',
      );
    }
    return due;
  }

  #insert(): Statement {
    return this.#store.statement(INSERT);
  }

  #moved(
    id: string,
    state: CaseState,
    prev: CaseState | null,
    actor: Actor,
    now: number,
    note: string | null,
    deadline: number | undefined,
    detail?: Record<string, unknown>,
  ): void {
    const r = this.#store
      .statement(
        'INSERT INTO case_events(case_id, state, prev, actor, at, note, deadline) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(id, state, prev, actor.name, now, note, deadline ?? null);
    const c = getCase(this.#store.db, id) as CaseRow;
    this.#outbox.add(
      cloudEvent(this.#source, {
        id: `ce-${id}-${r.lastInsertRowid}`,
        type: `estate.case.${state}`,
        time: now,
        subject: c.householdId,
        data: { ...caseData(c), previous: prev, actor: actor.name, note, deadline: iso(deadline), ...detail },
      }),
      CLASS_ALERT,
      'alerts',
      now,
    );
    if (state !== 'open' || actor.name !== 'system')
      this.#log.info({ case: id, state, prev, actor: actor.name }, 'case moved');
  }
}

const INSERT = `INSERT INTO cases(id, kind, source, state, household_id, building_id, subject, alert_id, pattern_ts,
                   detected_ts, last_ts, summary, evidence, created_at, updated_at)
  VALUES (@id, @kind, @source, 'open', @householdId, @buildingId, @subject, @alertId, @patternTs,
          @detectedTs, @lastTs, @summary, @evidence, @now, @now)`;

function iso(t: number | null | undefined): string | null {
  return t === null || t === undefined ? null : new Date(t).toISOString();
}
