import type { Logger } from 'pino';
import type { RewardKind, RewardState } from '../../core/codes.js';
import { GatewayError } from '../../core/errors.js';
import type { Store } from '../store/store.js';
import type { Actor } from './case-book.js';

/**
 * Tips with rewards (issue 16): "经查证属实的，可适当给予表彰奖励". An operator proposes a reward
 * for a tip whose case proved true; an admin other than the proposer approves or rejects it.
 * The tipster's name and phone are the admin's to read and are removed by retention once the
 * case is closed and the reward decided.
 */

/** A tip as stored, with its case's state and its reward. */
export interface TipRow {
  id: string;
  receivedAt: number;
  channel: string;
  householdId: string | null;
  buildingId: string | null;
  kind: string;
  content: string;
  caseId: string | null;
  caseState: string | null;
  contactName: string | null;
  contactPhone: string | null;
  contactRemovedAt: number | null;
  reward: RewardRow | null;
}

/** A reward as stored. */
export interface RewardRow {
  kind: RewardKind;
  amountFen: number | null;
  note: string | null;
  state: RewardState;
  proposedBy: string;
  proposedAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
  decisionNote: string | null;
}

/** Filters of the tip list; `before` pages newest first by id. */
export interface TipFilter {
  from?: number;
  to?: number;
  reward?: RewardState | 'none';
  householdId?: string;
  before?: string;
}

/**
 * The states that show a case proved true: acted on after verification. A case closed
 * straight from open or acknowledged was a dismissal (误报, ledger/states.ts).
 */
const ACTED_ON = "('dissuaded','rectification_ordered','overdue','rectified','handed_over')";

/** SQL: whether the case `c` is substantiated — acted on, and not found unsubstantiated by enforcement. */
export const SUBSTANTIATED_SQL = `(EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.state IN ${ACTED_ON})
  AND NOT EXISTS (SELECT 1 FROM case_enforcement f WHERE f.case_id = c.id AND f.result = 'not_substantiated'))`;

const SELECT = `SELECT t.id, t.received_at AS receivedAt, t.channel, t.household_id AS householdId,
  t.building_id AS buildingId, t.kind, t.content, t.case_id AS caseId, c.state AS caseState,
  t.contact_name AS contactName, t.contact_phone AS contactPhone, t.contact_removed_at AS contactRemovedAt,
  ${SUBSTANTIATED_SQL} AS substantiated,
  r.kind AS rKind, r.amount_fen AS rAmount, r.note AS rNote, r.state AS rState, r.proposed_by AS rProposedBy,
  r.proposed_at AS rProposedAt, r.decided_by AS rDecidedBy, r.decided_at AS rDecidedAt, r.decision_note AS rDecisionNote
  FROM tips t LEFT JOIN cases c ON c.id = t.case_id LEFT JOIN tip_rewards r ON r.tip_id = t.id`;

type Raw = Omit<TipRow, 'reward'> & { substantiated: number } & Record<string, unknown>;

function toTip(r: Raw): TipRow & { substantiated: boolean } {
  const {
    rKind,
    rAmount,
    rNote,
    rState,
    rProposedBy,
    rProposedAt,
    rDecidedBy,
    rDecidedAt,
    rDecisionNote,
    ...t
  } = r;
  return {
    ...(t as unknown as TipRow),
    substantiated: r.substantiated === 1,
    reward: rKind
      ? {
          kind: rKind as RewardKind,
          amountFen: (rAmount as number | null) ?? null,
          note: (rNote as string | null) ?? null,
          state: rState as RewardState,
          proposedBy: rProposedBy as string,
          proposedAt: rProposedAt as number,
          decidedBy: (rDecidedBy as string | null) ?? null,
          decidedAt: (rDecidedAt as number | null) ?? null,
          decisionNote: (rDecisionNote as string | null) ?? null,
        }
      : null,
  };
}

/** Tips, their rewards and the tipster's contact. */
export class TipBook {
  readonly #store: Store;
  readonly #log: Logger;

  constructor(store: Store, log: Logger) {
    this.#store = store;
    this.#log = log;
  }

  /** One tip, or undefined. */
  get(id: string): (TipRow & { substantiated: boolean }) | undefined {
    const r = this.#store.statement(`${SELECT} WHERE t.id = ?`).get(id) as Raw | undefined;
    return r ? toTip(r) : undefined;
  }

  /** Tips newest first. */
  list(f: TipFilter, limit: number): Array<TipRow & { substantiated: boolean }> {
    const rows = this.#store.db
      .prepare(
        `${SELECT} WHERE (@from IS NULL OR t.received_at >= @from) AND (@to IS NULL OR t.received_at < @to)
           AND (@household IS NULL OR t.household_id = @household) AND (@before IS NULL OR t.id < @before)
           AND (@reward IS NULL OR (@reward = 'none' AND r.tip_id IS NULL) OR r.state = @reward)
         ORDER BY t.id DESC LIMIT ${Math.max(1, Math.min(limit, 500))}`,
      )
      .all({
        from: f.from ?? null,
        to: f.to ?? null,
        household: f.householdId ?? null,
        before: f.before ?? null,
        reward: f.reward ?? null,
      }) as Raw[];
    return rows.map(toTip);
  }

  /**
   * Proposes a reward. Throws NOT_FOUND, NOT_SUBSTANTIATED (the case has not proved true) or
   * REWARD_EXISTS (proposed or approved already; a rejected one may be proposed again).
   */
  propose(
    tipId: string,
    r: { kind: RewardKind; amountFen: number | null; note: string },
    actor: Actor,
    now: number,
  ) {
    const tip = this.get(tipId);
    if (!tip) throw new GatewayError('NOT_FOUND', `no tip ${tipId}`);
    if (!tip.substantiated)
      throw new GatewayError(
        'NOT_SUBSTANTIATED',
        `the case of tip ${tipId} has not proved true (it must be acted on after verification, and not found unsubstantiated)`,
      );
    if (tip.reward && tip.reward.state !== 'rejected')
      throw new GatewayError('REWARD_EXISTS', `tip ${tipId} already has a reward (${tip.reward.state})`);
    if (r.kind === 'cash' && r.amountFen === null)
      throw new GatewayError('BAD_REWARD', 'a cash reward needs its amount');
    this.#store
      .statement(
        `INSERT INTO tip_rewards(tip_id, kind, amount_fen, note, state, proposed_by, proposed_at)
         VALUES (?, ?, ?, ?, 'proposed', ?, ?)
         ON CONFLICT(tip_id) DO UPDATE SET kind = excluded.kind, amount_fen = excluded.amount_fen, note = excluded.note,
           state = 'proposed', proposed_by = excluded.proposed_by, proposed_at = excluded.proposed_at,
           decided_by = NULL, decided_at = NULL, decision_note = NULL`,
      )
      .run(tipId, r.kind, r.amountFen, r.note, actor.name, now);
    this.#log.info({ tip: tipId, kind: r.kind, actor: actor.name }, 'reward proposed');
    return this.get(tipId) as TipRow & { substantiated: boolean };
  }

  /**
   * Approves or rejects a proposed reward. Throws NOT_FOUND, REWARD_STATE (nothing proposed)
   * or FOUR_EYES (the proposer may not decide their own proposal).
   */
  decide(tipId: string, decision: 'approved' | 'rejected', note: string, actor: Actor, now: number) {
    const tip = this.get(tipId);
    if (!tip) throw new GatewayError('NOT_FOUND', `no tip ${tipId}`);
    if (tip.reward?.state !== 'proposed')
      throw new GatewayError('REWARD_STATE', `tip ${tipId} has no reward awaiting a decision`);
    if (tip.reward.proposedBy === actor.name)
      throw new GatewayError('FOUR_EYES', 'a reward is decided by someone other than who proposed it');
    this.#store
      .statement(
        "UPDATE tip_rewards SET state = ?, decided_by = ?, decided_at = ?, decision_note = ? WHERE tip_id = ? AND state = 'proposed'",
      )
      .run(decision, actor.name, now, note, tipId);
    this.#log.info({ tip: tipId, decision, actor: actor.name }, 'reward decided');
    return this.get(tipId) as TipRow & { substantiated: boolean };
  }

  /**
   * Retention of tipsters' contacts: removed `days` after the tip's case closed, once its
   * reward (if any) is no longer awaiting a decision; a tip that opened no case (a tip's case
   * is fixed when it is recorded) loses its contact `days` after it was received. Returns how
   * many were removed.
   */
  forgetContacts(days: number, now: number): number {
    const n = this.#store
      .statement(
        `UPDATE tips SET contact_name = NULL, contact_phone = NULL, contact_removed_at = @now
          WHERE contact_removed_at IS NULL AND (contact_name IS NOT NULL OR contact_phone IS NOT NULL)
            AND (EXISTS (SELECT 1 FROM cases c WHERE c.id = tips.case_id AND c.state = 'closed' AND c.updated_at < @cutoff)
                 OR (tips.case_id IS NULL AND tips.received_at < @cutoff))
            AND NOT EXISTS (SELECT 1 FROM tip_rewards r WHERE r.tip_id = tips.id AND r.state = 'proposed')`,
      )
      .run({ now, cutoff: now - days * 86_400_000 }).changes;
    if (n) this.#log.info({ tips: n }, "tipsters' contacts past retention removed");
    return n;
  }
}
