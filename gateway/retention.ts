import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { thumbRefsOfEvidence } from './ledger/evidence-refs.js';
import type { Metrics } from './metrics.js';
import { type Journal, thumbsOfEntries } from './pipeline/journal.js';
import type { Thumbnailer } from './pipeline/thumbnails.js';
import type { Store } from './store/store.js';

/** What a retention run is built from (the composition root passes each). */
export interface RetentionDeps {
  store: Store;
  journal: Journal;
  thumbnails: Thumbnailer;
  retention: Config['retention'];
  metrics: Metrics;
  log: Logger;
  /** Tells the roster to reload when residents were deleted (their credentials go with them). */
  rosterChanged: () => void;
}

/** Rows deleted per transaction: short, so a commit of door reads never waits long. */
const BATCH = 1000;
const DAY_MS = 86_400_000;

/** What one run deleted, by table (and thumbnail day folders). */
export type RetentionCounts = Record<string, number>;

/** A case is open until closed; its evidence stays until then (issue 9 item 7). */
const OPEN_CASE = "state != 'closed'";

/**
 * The daily retention of every table of personal data (PIPL Art. 19: no longer than
 * necessary; docs/privacy.md says why each period): access records and their decisions,
 * thumbnails and camera snapshots, alerts, the audit log, tips, patrols, passes, closed
 * cases, and residents who moved out with their credentials and fingerprint templates. The evidence of a case
 * that is not closed — its entries, thumbnails, patrols, tips, the household's members —
 * is kept until it closes, whatever its age. Deletes in short batches, yielding between.
 */
export class Retention {
  readonly #d: RetentionDeps;

  constructor(deps: RetentionDeps) {
    this.#d = deps;
  }

  /** Runs every rule once for `now`; returns the rows deleted per table. */
  async run(now: number): Promise<RetentionCounts> {
    const { retention: r, journal, thumbnails } = this.#d;
    const cut = (days: number) => now - days * DAY_MS;
    const keep = this.#openEvidence();
    const n: RetentionCounts = {};
    n.journal = await journal.purgeBefore(cut(r.journalDays), undefined, keep.seqs);
    n.thumbnailDays = await thumbnails.sweep(r.thumbnailDays, now, keep.thumbs);
    n.passFaces = this.#exec(
      'UPDATE passes SET embedding = NULL WHERE embedding IS NOT NULL AND (valid_to < ? OR revoked_at < ?)',
      now,
      now,
    );
    n.alerts = await this.#batches(
      `SELECT id FROM alerts a WHERE updated_at < ?
         AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.alert_id = a.id AND c.${OPEN_CASE}) LIMIT ${BATCH}`,
      ['DELETE FROM alert_entries WHERE alert_id = ?', 'DELETE FROM alerts WHERE id = ?'],
      cut(r.alertDays),
    );
    n.audit = await this.#batches(
      `SELECT seq FROM audit WHERE ts < ? LIMIT ${BATCH}`,
      ['DELETE FROM audit WHERE seq = ?'],
      cut(r.auditDays),
    );
    n.cases = await this.#batches(
      `SELECT id FROM cases WHERE state = 'closed' AND updated_at < ? LIMIT ${BATCH}`,
      [
        'DELETE FROM case_events WHERE case_id = ?',
        // The signed archive handed to 城管 (issue 14) may hold face images: it goes with its case.
        'DELETE FROM handover_packages WHERE case_id = ?',
        'DELETE FROM cases WHERE id = ?',
      ],
      cut(r.closedCaseDays),
    );
    const notOpen = (col: string) =>
      `(${col} IS NULL OR NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = ${col} AND c.${OPEN_CASE}))`;
    n.tips = await this.#batches(
      `SELECT id FROM tips WHERE received_at < ? AND ${notOpen('case_id')} LIMIT ${BATCH}`,
      ['DELETE FROM tips WHERE id = ?'],
      cut(r.tipDays),
    );
    n.patrols = await this.#batches(
      `SELECT id FROM patrols WHERE created_at < ? AND ${notOpen('case_id')} LIMIT ${BATCH}`,
      ['DELETE FROM patrols WHERE id = ?'],
      cut(r.patrolDays),
    );
    // Camera snapshots (issue 13): the rows and the face embeddings they may hold go with
    // the thumbnails; a door alarm's capture stays while a case about the alarm is open.
    n.cameraCaptures = await this.#batches(
      `SELECT id FROM camera_captures cc WHERE ts < ?
         AND (alert_id IS NULL OR NOT EXISTS (SELECT 1 FROM cases c WHERE c.alert_id = cc.alert_id AND c.${OPEN_CASE}))
       LIMIT ${BATCH}`,
      ['DELETE FROM camera_captures WHERE id = ?'],
      cut(r.thumbnailDays),
    );
    n.passes = await this.#batches(
      `SELECT id FROM passes WHERE min(valid_to, coalesce(revoked_at, valid_to)) < ? LIMIT ${BATCH}`,
      ['DELETE FROM passes WHERE id = ?'],
      cut(r.passDaysAfterExpiry),
    );
    n.residents = await this.#batches(
      `SELECT id FROM residents WHERE status = 'moved_out' AND moved_out_at < ?
         AND household_id NOT IN (SELECT household_id FROM cases WHERE ${OPEN_CASE} AND household_id IS NOT NULL)
       LIMIT ${BATCH}`,
      [
        'DELETE FROM credentials WHERE resident_id = ?',
        'DELETE FROM fingerprint_templates WHERE resident_id = ?',
        'DELETE FROM residents WHERE id = ?',
      ],
      cut(r.movedOutResidentDays),
    );
    if (n.residents > 0) this.#d.rosterChanged();
    for (const [table, count] of Object.entries(n))
      if (count > 0) this.#d.metrics.retentionDeleted.inc({ table }, count);
    return n;
  }

  /**
   * The journal entries and thumbnails that are evidence of cases not yet closed: the
   * entries of their alerts, the entries and thumbnails their evidence chains name.
   */
  #openEvidence(): { seqs: Set<number>; thumbs: Set<string> } {
    const db = this.#d.store.db;
    const seqs = new Set<number>(
      db
        .prepare(
          `SELECT ae.seq FROM alert_entries ae JOIN cases c ON c.alert_id = ae.alert_id WHERE c.${OPEN_CASE}`,
        )
        .pluck()
        .all() as number[],
    );
    const thumbs = new Set<string>();
    for (const raw of db.prepare(`SELECT evidence FROM cases WHERE ${OPEN_CASE}`).pluck().all() as string[]) {
      let ev: Record<string, unknown>;
      try {
        ev = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        continue;
      }
      for (const t of thumbRefsOfEvidence(ev)) thumbs.add(t);
      const lists = [ev.entries, ...(Array.isArray(ev.persons) ? ev.persons.map((p) => p?.entries) : [])];
      for (const l of lists) if (Array.isArray(l)) for (const s of l) if (Number.isInteger(s)) seqs.add(s);
    }
    for (const t of thumbsOfEntries(db, seqs)) thumbs.add(t);
    return { seqs, thumbs };
  }

  #exec(sql: string, ...params: unknown[]): number {
    return this.#d.store.statement(sql).run(...params).changes;
  }

  /** Picks keys with `select` (bound to `cutoff`) and runs each delete on them, batch by batch. */
  async #batches(select: string, deletes: string[], cutoff: number): Promise<number> {
    const db = this.#d.store.db;
    const pick = this.#d.store.statement(select).pluck();
    const dels = deletes.map((sql) => this.#d.store.statement(sql));
    const purge = db.transaction((keys: unknown[]) => {
      for (const k of keys) for (const d of dels) d.run(k);
    });
    let total = 0;
    for (;;) {
      const keys = pick.all(cutoff);
      if (keys.length === 0) return total;
      purge(keys);
      total += keys.length;
      await new Promise((r) => setImmediate(r));
    }
  }
}
