import type { Logger } from 'pino';
import type { CampaignState, CaseKind, VisitResult } from '../../core/codes.js';
import { GatewayError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Store } from '../store/store.js';
import type { Actor } from './case-book.js';

/**
 * The annual full inspection (全面排查) of the 2024 notice's annex: "全面排查，做到全覆盖、
 * 底数清、情况明…不漏一户、不漏一人" (issue 16). An admin opens a campaign over the whole
 * estate or some buildings; the households in scope are fixed then, so coverage is measured
 * against a count that does not move. Visits are recorded by campaign-visits.ts.
 */

/** A campaign as stored. */
export interface Campaign {
  id: string;
  name: string;
  from: string;
  to: string;
  reportDue: string;
  /** Building ids in scope; null for the whole estate. */
  buildings: string[] | null;
  state: CampaignState;
  createdBy: string;
  createdAt: number;
  closedBy: string | null;
  closedAt: number | null;
  reportsSent: number;
  reportedAt: number | null;
}

/** What opening a campaign takes. */
export interface CampaignInput {
  name: string;
  from: string;
  to: string;
  reportDue: string;
  buildings?: string[];
}

/** Where a household stands: the most telling result of its visits wins (codes.ts campaignStatus). */
export const STATUS_RANK: Record<VisitResult | 'not_visited', number> = {
  not_visited: 0,
  nobody_home: 1,
  refused: 2,
  normal: 3,
  violation_found: 4,
};

/** Results that reached the household: its people were checked. */
export const REACHED: readonly VisitResult[] = ['normal', 'violation_found'];

/** The case kind of a violation that a visit names (the forms offer these). */
export type ViolationKind = CaseKind;

const SELECT = `SELECT id, name, period_from AS "from", period_to AS "to", report_due AS reportDue, buildings, state,
  created_by AS createdBy, created_at AS createdAt, closed_by AS closedBy, closed_at AS closedAt,
  reports_sent AS reportsSent, reported_at AS reportedAt FROM campaigns`;

function toCampaign(r: Record<string, unknown>): Campaign {
  return {
    ...(r as unknown as Campaign),
    buildings: r.buildings ? (JSON.parse(String(r.buildings)) as string[]) : null,
  };
}

/** Campaigns: open (with the scope's households), read, close, count the reports sent. */
export class CampaignBook {
  readonly #store: Store;
  readonly #log: Logger;

  constructor(store: Store, log: Logger) {
    this.#store = store;
    this.#log = log;
  }

  /**
   * Opens a campaign and fixes its households: every household of the scope that is not
   * terminated (vacant homes too: an empty home may be let out). Throws GatewayError
   * BAD_CAMPAIGN for dates out of order, an unknown building or an empty scope.
   */
  open(c: CampaignInput, actor: Actor, now: number): Campaign {
    if (c.from > c.to)
      throw new GatewayError('BAD_CAMPAIGN', `the period ends (${c.to}) before it begins (${c.from})`);
    if (c.reportDue < c.from)
      throw new GatewayError('BAD_CAMPAIGN', `the report date ${c.reportDue} is before the period begins`);
    const buildings = c.buildings?.length ? [...new Set(c.buildings)].sort() : null;
    const db = this.#store.db;
    const id = newId('cp', now);
    db.transaction(() => {
      for (const b of buildings ?? [])
        if (!this.#store.statement('SELECT 1 FROM buildings WHERE id = ?').get(b))
          throw new GatewayError('BAD_CAMPAIGN', `no building ${b}`);
      this.#store
        .statement(
          `INSERT INTO campaigns(id, name, period_from, period_to, report_due, buildings, state, created_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?)`,
        )
        .run(
          id,
          c.name,
          c.from,
          c.to,
          c.reportDue,
          buildings ? JSON.stringify(buildings) : null,
          actor.name,
          now,
        );
      const n = this.#store
        .statement(
          `INSERT INTO campaign_households(campaign_id, household_id, building_id, room, status)
           SELECT @id, h.id, h.building_id, h.room, 'not_visited' FROM households h
            WHERE h.status != 'terminated'
              AND (@buildings IS NULL OR h.building_id IN (SELECT value FROM json_each(@buildings)))`,
        )
        .run({ id, buildings: buildings ? JSON.stringify(buildings) : null }).changes;
      if (n === 0)
        throw new GatewayError('BAD_CAMPAIGN', 'no household is in scope (is the roster imported?)');
    })();
    const opened = this.get(id) as Campaign;
    this.#log.info(
      { campaign: id, buildings: buildings?.length ?? 'all', actor: actor.name },
      'campaign opened',
    );
    return opened;
  }

  /** One campaign, or undefined. */
  get(id: string): Campaign | undefined {
    const r = this.#store.statement(`${SELECT} WHERE id = ?`).get(id) as Record<string, unknown> | undefined;
    return r ? toCampaign(r) : undefined;
  }

  /** Every campaign, newest first. */
  list(): Campaign[] {
    return (
      this.#store.statement(`${SELECT} ORDER BY id DESC LIMIT 200`).all() as Array<Record<string, unknown>>
    ).map(toCampaign);
  }

  /** Ends a campaign: no more visits. Throws NOT_FOUND, or CAMPAIGN_CLOSED when already closed. */
  close(id: string, actor: Actor, now: number): Campaign {
    const c = this.get(id);
    if (!c) throw new GatewayError('NOT_FOUND', `no campaign ${id}`);
    if (c.state === 'closed') throw new GatewayError('CAMPAIGN_CLOSED', `campaign ${id} is already closed`);
    this.#store
      .statement("UPDATE campaigns SET state = 'closed', closed_by = ?, closed_at = ? WHERE id = ?")
      .run(actor.name, now, id);
    this.#log.info({ campaign: id, actor: actor.name }, 'campaign closed');
    return this.get(id) as Campaign;
  }

  /** Counts a report sent upstream; returns its number (1 for the first). */
  reported(id: string, now: number): number {
    this.#store
      .statement('UPDATE campaigns SET reports_sent = reports_sent + 1, reported_at = ? WHERE id = ?')
      .run(now, id);
    return (this.get(id) as Campaign).reportsSent;
  }
}
