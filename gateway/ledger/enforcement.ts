import type { Logger } from 'pino';
import { type District, type EnforcementResult, label } from '../../core/codes.js';
import { GatewayError } from '../../core/errors.js';
import { iso } from '../../core/time.js';
import type { Store } from '../store/store.js';
import type { Actor, CaseBook } from './case-book.js';
import { type CaseRow, getCase } from './case-queries.js';
import type { EvidenceFiles } from './evidence-files.js';

/**
 * The enforcement office's side of a hand-over (issue 16): "依法依规进行查处并及时反馈处理
 * 结果". A handed-over case records where it went — another district's office when the
 * tenant lives elsewhere (跨区移交) — and, when the office reports back, its result: the
 * received date, the office's reference number, penalty, eviction, rectified or not
 * substantiated, a note and the office's document. The case closes with that result.
 */

/** What the office reported back. */
export interface FeedbackInput {
  receivedDate: string;
  officeRef: string;
  result: EnforcementResult;
  note: string;
  /** An uploaded photo or PDF of the office's document. */
  document?: string;
}

/** A case's hand-over and feedback as stored. */
export interface EnforcementRow {
  caseId: string;
  district: District | null;
  office: string | null;
  handedAt: number | null;
  receivedDate: string | null;
  officeRef: string | null;
  result: EnforcementResult | null;
  note: string | null;
  document: string | null;
  recordedBy: string | null;
  recordedAt: number | null;
}

const SELECT = `SELECT case_id AS caseId, district, office, handed_at AS handedAt, received_date AS receivedDate,
  office_ref AS officeRef, result, note, document, recorded_by AS recordedBy, recorded_at AS recordedAt
  FROM case_enforcement`;

/** Where a case was handed and what came back. */
export class EnforcementBook {
  readonly #store: Store;
  readonly #cases: CaseBook;
  readonly #evidence: EvidenceFiles;
  readonly #log: Logger;

  constructor(store: Store, cases: CaseBook, evidence: EvidenceFiles, log: Logger) {
    this.#store = store;
    this.#cases = cases;
    this.#evidence = evidence;
    this.#log = log;
  }

  /** Records where a case was handed (inside the hand-over's transaction). */
  handedOver(caseId: string, district: District | null, office: string | null, now: number): void {
    this.#store
      .statement(
        `INSERT INTO case_enforcement(case_id, district, office, handed_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(case_id) DO UPDATE SET district = excluded.district, office = excluded.office,
           handed_at = excluded.handed_at`,
      )
      .run(caseId, district, office, now);
  }

  /** The hand-over and feedback of a case, or undefined. */
  get(caseId: string): EnforcementRow | undefined {
    return this.#store.statement(`${SELECT} WHERE case_id = ?`).get(caseId) as EnforcementRow | undefined;
  }

  /**
   * Records the office's feedback and closes the case with it, in one transaction. The same
   * feedback sent again (an upstream retrying) changes nothing and answers the case as it
   * is; different feedback on a case that has one is refused. Throws GatewayError
   * NOT_FOUND, FEEDBACK_STATE (not handed over), FEEDBACK_EXISTS, BAD_FEEDBACK or BAD_EVIDENCE.
   */
  feedback(
    caseId: string,
    f: FeedbackInput,
    actor: Actor,
    now: number,
  ): { case: CaseRow; repeated: boolean } {
    const db = this.#store.db;
    const c = getCase(db, caseId);
    if (!c) throw new GatewayError('NOT_FOUND', `no case ${caseId}`);
    const prior = this.get(caseId);
    if (prior?.result) {
      if (prior.officeRef === f.officeRef && prior.result === f.result) return { case: c, repeated: true };
      throw new GatewayError(
        'FEEDBACK_EXISTS',
        `case ${caseId} already has the office's feedback (${prior.officeRef}, ${prior.result})`,
      );
    }
    if (c.state !== 'handed_over')
      throw new GatewayError(
        'FEEDBACK_STATE',
        `feedback is for a case handed to enforcement; case ${caseId} is ${c.state}`,
      );
    const handedAt = prior?.handedAt ?? c.updatedAt;
    if (Date.parse(`${f.receivedDate}T23:59:59+08:00`) < handedAt)
      throw new GatewayError(
        'BAD_FEEDBACK',
        `the feedback is dated before the hand-over (${iso(handedAt)?.slice(0, 10)})`,
      );
    if (Date.parse(`${f.receivedDate}T00:00:00+08:00`) > now)
      throw new GatewayError('BAD_FEEDBACK', 'the feedback is dated in the future');
    const resultLabel = label('enforcementResult', f.result);
    const after = this.#cases.transition(
      caseId,
      'closed',
      actor,
      `城管反馈：${resultLabel}（${f.officeRef}，${f.receivedDate}）${f.note}`,
      undefined,
      now,
      () => {
        this.#store
          .statement(
            `INSERT INTO case_enforcement(case_id, handed_at, received_date, office_ref, result, note, document,
               recorded_by, recorded_at)
             VALUES (@caseId, @handedAt, @receivedDate, @officeRef, @result, @note, @document, @actor, @now)
             ON CONFLICT(case_id) DO UPDATE SET received_date = excluded.received_date, office_ref = excluded.office_ref,
               result = excluded.result, note = excluded.note, document = excluded.document,
               recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`,
          )
          .run({ caseId, handedAt, ...f, document: f.document ?? null, actor: actor.name, now });
        if (f.document)
          this.#evidence.attach(
            [f.document],
            { kind: 'feedback', id: caseId, caseId },
            actor.name,
            ['photo', 'document'],
            now,
          );
      },
      {
        enforcement: {
          result: f.result,
          resultLabel,
          officeRef: f.officeRef,
          receivedDate: f.receivedDate,
          district: prior?.district ?? null,
        },
      },
    );
    this.#log.info(
      { case: caseId, result: f.result, actor: actor.name },
      'enforcement feedback recorded; case closed',
    );
    return { case: after, repeated: false };
  }
}
