import type { Logger } from 'pino';
import type { CaseKind, VisitResult } from '../../core/codes.js';
import { GatewayError } from '../../core/errors.js';
import { hashIdNumber, idNumberProblem, maskIdNumber, maskName } from '../../core/id-number.js';
import { newId } from '../../core/ids.js';
import { DAY_MS, localDate } from '../../core/time.js';
import type { Store } from '../store/store.js';
import { type CampaignBook, REACHED, STATUS_RANK } from './campaigns.js';
import type { Actor, CaseBook } from './case-book.js';
import { getCase } from './case-queries.js';
import type { EvidenceFiles } from './evidence-files.js';

/** A person of the roster as the inspector found them. */
export interface PersonSeen {
  residentId: string;
  check: 'present' | 'absent';
}

/** A person living there whom the roster does not know. */
export interface Unregistered {
  name?: string;
  /** Hashed and masked at once; never stored. */
  idNumber?: string;
  relation?: string;
  note?: string;
}

/** One visit of a full inspection, as the inspector records it. */
export interface VisitInput {
  householdId: string;
  result: VisitResult;
  /** When the visit was (default: now). */
  visitedAt?: number;
  inspector: string;
  persons: PersonSeen[];
  unregistered: Unregistered[];
  /** The kind of violation found: opens a case… */
  violation?: CaseKind;
  /** …or joins the household's open case. */
  caseId?: string;
  note?: string;
  photos: string[];
  /** YYYY-MM-DD to go again (nobody home: default now + ledger.revisitDays). */
  revisitDue?: string;
}

/** What recording a visit did. */
export interface VisitOutcome {
  id: string;
  caseId: string | null;
  openedCase: boolean;
  status: string;
  revisitDue: string | null;
}

/** A visit dated this far ahead of the gateway clock is refused (a wrong phone clock). */
const FUTURE_SLACK_MS = 10 * 60_000;

const bad = (message: string) => new GatewayError('BAD_VISIT', message);

/**
 * Records visits of a full inspection in one transaction each: the visit, every person
 * checked against the roster ("不漏一人"), the household's standing, the case a violation
 * opens or joins, the photos. A reached household must have every registered (active)
 * member checked, present or absent; an unregistered person's ID number is kept as the
 * keyed hash and the mask only, and the case's evidence carries masks only.
 */
export class VisitRecorder {
  readonly #store: Store;
  readonly #campaigns: CampaignBook;
  readonly #cases: CaseBook;
  readonly #evidence: EvidenceFiles;
  readonly #idKey: () => string;
  readonly #revisitDays: number;
  readonly #log: Logger;

  constructor(d: {
    store: Store;
    campaigns: CampaignBook;
    cases: CaseBook;
    evidence: EvidenceFiles;
    idHashKey: () => string;
    revisitDays: number;
    log: Logger;
  }) {
    this.#store = d.store;
    this.#campaigns = d.campaigns;
    this.#cases = d.cases;
    this.#evidence = d.evidence;
    this.#idKey = d.idHashKey;
    this.#revisitDays = d.revisitDays;
    this.#log = d.log;
  }

  /**
   * Records one visit. Throws GatewayError NOT_FOUND (campaign, or household not in its
   * scope), CAMPAIGN_CLOSED, BAD_VISIT (what is wrong with the input, by resident id,
   * never by name) or BAD_EVIDENCE (a photo).
   */
  record(campaignId: string, v: VisitInput, actor: Actor, now: number): VisitOutcome {
    const c = this.#campaigns.get(campaignId);
    if (!c) throw new GatewayError('NOT_FOUND', `no campaign ${campaignId}`);
    if (c.state !== 'open')
      throw new GatewayError('CAMPAIGN_CLOSED', `campaign ${campaignId} is closed: no more visits`);
    const st = this.#store;
    const row = st
      .statement(
        'SELECT status, revisit_due AS revisitDue FROM campaign_households WHERE campaign_id = ? AND household_id = ?',
      )
      .get(campaignId, v.householdId) as
      | { status: VisitResult | 'not_visited'; revisitDue: string | null }
      | undefined;
    if (!row)
      throw new GatewayError(
        'NOT_FOUND',
        `household ${v.householdId} is not in the scope of campaign ${campaignId}`,
      );
    const at = v.visitedAt ?? now;
    if (at > now + FUTURE_SLACK_MS) throw bad('the visit is dated in the future');
    if (localDate(at) < c.from) throw bad(`the visit is dated before the campaign began (${c.from})`);
    const reached = REACHED.includes(v.result);
    const people = this.#checkPeople(v, reached);
    const linked = this.#checkViolation(v);
    const revisitDue = reached
      ? null
      : (v.revisitDue ?? (v.result === 'nobody_home' ? localDate(at + this.#revisitDays * DAY_MS) : null));
    if (revisitDue && revisitDue < localDate(at)) throw bad('the revisit date is before the visit');

    const id = newId('cv', now);
    let caseId = linked;
    const summary = {
      registered: v.persons.length,
      present: v.persons.filter((p) => p.check === 'present').length,
      absent: v.persons.filter((p) => p.check === 'absent').length,
      unregistered: people.length,
    };
    st.db.transaction(() => {
      if (v.result === 'violation_found' && !caseId) {
        const building = st
          .statement('SELECT building_id FROM households WHERE id = ?')
          .pluck()
          .get(v.householdId);
        caseId = this.#cases.open(
          {
            kind: v.violation as CaseKind,
            source: 'patrol',
            householdId: v.householdId,
            buildingId: (building as string | undefined) ?? null,
            summary: `全面排查发现违规 (${c.name}) ${v.note ?? ''}`.trim(),
            evidence: {
              campaign: c.id,
              campaignName: c.name,
              visit: id,
              date: localDate(at),
              inspector: v.inspector,
              persons: summary,
              unregistered: people.map((p) => ({ name: p.nameMasked, id: p.idMasked, relation: p.relation })),
              note: v.note ?? null,
              photos: v.photos,
            },
            ts: at,
          },
          actor,
          now,
        ).id;
      }
      st.statement(
        `INSERT INTO campaign_visits(id, campaign_id, household_id, visited_at, inspector, result, violation, case_id,
           opened_case, note, revisit_due, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        campaignId,
        v.householdId,
        at,
        v.inspector,
        v.result,
        v.result === 'violation_found'
          ? (v.violation ?? getCase(st.db, caseId as string)?.kind ?? null)
          : null,
        caseId,
        caseId && !linked ? 1 : 0,
        v.note ?? null,
        revisitDue,
        actor.name,
        now,
      );
      const person = st.statement(
        `INSERT INTO campaign_persons(visit_id, seq, resident_id, check_result, name, id_hash, id_masked, relation, note)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      let seq = 0;
      for (const p of v.persons) person.run(id, ++seq, p.residentId, p.check, null, null, null, null, null);
      for (const p of people)
        person.run(id, ++seq, null, 'unregistered', p.name, p.idHash, p.idMasked, p.relation, p.note);
      const status = STATUS_RANK[v.result] > STATUS_RANK[row.status] ? v.result : row.status;
      st.statement(
        `UPDATE campaign_households SET status = ?, visits = visits + 1,
           last_visit_at = max(coalesce(last_visit_at, 0), ?), revisit_due = ?
         WHERE campaign_id = ? AND household_id = ?`,
      ).run(
        status,
        at,
        REACHED.includes(status as VisitResult) ? null : (revisitDue ?? row.revisitDue),
        campaignId,
        v.householdId,
      );
      this.#evidence.attach(v.photos, { kind: 'visit', id, caseId }, actor.name, ['photo'], now);
    })();
    const after = st
      .statement(
        'SELECT status, revisit_due AS revisitDue FROM campaign_households WHERE campaign_id = ? AND household_id = ?',
      )
      .get(campaignId, v.householdId) as { status: string; revisitDue: string | null };
    this.#log.info(
      {
        campaign: campaignId,
        visit: id,
        household: v.householdId,
        result: v.result,
        case: caseId,
        actor: actor.name,
      },
      'inspection visit recorded',
    );
    return {
      id,
      caseId,
      openedCase: Boolean(caseId && !linked),
      status: after.status,
      revisitDue: after.revisitDue,
    };
  }

  /** Checks the persons against the roster; returns the unregistered ones, hashed and masked. */
  #checkPeople(v: VisitInput, reached: boolean) {
    if (!reached) {
      if (v.persons.length || v.unregistered.length)
        throw bad(`a visit that did not reach the household (${v.result}) checks no persons`);
      return [];
    }
    const residents = this.#store
      .statement('SELECT id, status FROM residents WHERE household_id = ?')
      .all(v.householdId) as Array<{ id: string; status: string }>;
    const known = new Set(residents.map((r) => r.id));
    const seen = new Set<string>();
    for (const p of v.persons) {
      if (!known.has(p.residentId))
        throw bad(`${p.residentId} is not registered in household ${v.householdId}`);
      if (seen.has(p.residentId)) throw bad(`${p.residentId} is checked twice`);
      seen.add(p.residentId);
    }
    const missed = residents.filter((r) => r.status === 'active' && !seen.has(r.id)).map((r) => r.id);
    if (missed.length)
      throw bad(
        `every registered person must be checked (不漏一人): ${missed.length} not checked (${missed.join(', ')})`,
      );
    return v.unregistered.map((u, i) => {
      const id = u.idNumber?.trim();
      if (id) {
        const problem = idNumberProblem(id);
        if (problem) throw bad(`unregistered person ${i + 1}: the ID number fails its check (${problem})`);
      }
      return {
        name: u.name?.trim() || null,
        nameMasked: u.name?.trim() ? maskName(u.name.trim()) : null,
        idHash: id ? hashIdNumber(this.#idKey(), id) : null,
        idMasked: id ? maskIdNumber(id) : null,
        relation: u.relation?.trim() || null,
        note: u.note?.trim() || null,
      };
    });
  }

  /** The open case a violation joins (checked), or null when it opens one. */
  #checkViolation(v: VisitInput): string | null {
    if (v.result !== 'violation_found') {
      if (v.violation || v.caseId) throw bad('only a visit that found a violation names one');
      return null;
    }
    if (!v.caseId) {
      if (!v.violation)
        throw bad('a violation found needs its kind (violation) or the open case it joins (caseId)');
      return null;
    }
    const linked = getCase(this.#store.db, v.caseId);
    if (!linked || linked.householdId !== v.householdId)
      throw bad(`case ${v.caseId} is not a case of household ${v.householdId}`);
    if (linked.state === 'closed') throw bad(`case ${v.caseId} is closed: open a new one instead`);
    return linked.id;
  }
}
