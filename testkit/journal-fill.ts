import { CASE_KINDS } from '../core/codes.js';
import type { Config } from '../gateway/config/schema.js';
import type { Db } from '../gateway/store/db.js';

/** What fillJournal wrote. */
export interface FillStats {
  entries: number;
  alerts: number;
  audit: number;
  cases: number;
  households: string[];
}

/** A small seeded generator (mulberry32): the same journal on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes `entries` access records (journal + decisions) spread evenly over the `days`
 * before `now`, at the config's readers, by the roster's residents (5 % strangers,
 * denied), plus alerts and audit rows in proportion — straight into SQLite, as the
 * pipeline would have over a month, in transactions of 50,000 rows.
 */
export function fillJournal(
  db: Db,
  cfg: Config,
  o: { entries: number; days: number; now: number; alerts: number; audit: number; cases?: number },
): FillStats {
  const rand = rng(7);
  const residents = db.prepare('SELECT id, household_id AS h FROM residents').all() as Array<{
    id: string;
    h: string;
  }>;
  const households = [...new Set(residents.map((r) => r.h))];
  const readers = cfg.readers;
  const insJ = db.prepare(
    `INSERT INTO journal(seq, reader_id, record_id, door_id, direction, ts, reader_ts, received_at, type, credential,
       score, liveness, offline, stale, thumb, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'face', ?, ?, 1, 0, 0, NULL, NULL)`,
  );
  const insD = db.prepare(
    'INSERT INTO decisions(seq, resident_id, household_id, outcome, answer, policy, reasons) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const span = o.days * 86_400_000;
  const start = o.now - span;
  const BATCH = 50_000;
  for (let done = 0; done < o.entries; done += BATCH) {
    db.transaction(() => {
      for (let i = done; i < Math.min(o.entries, done + BATCH); i++) {
        const seq = i + 1;
        const ts = Math.floor(start + (i / o.entries) * span + rand() * 1000);
        const r = readers[Math.floor(rand() * readers.length)]!;
        const stranger = r.direction === 'in' && rand() < 0.05;
        const who = stranger ? null : residents[Math.floor(rand() * residents.length)]!;
        insJ.run(
          seq,
          r.id,
          `${r.id}-${seq}`,
          r.door,
          r.direction,
          ts,
          ts,
          ts,
          who ? `F-${who.id}` : null,
          0.6 + rand() * 0.39,
        );
        const reason = stranger ? 'stranger' : r.direction === 'out' ? 'exit' : 'ok';
        insD.run(
          seq,
          who?.id ?? null,
          who?.h ?? null,
          stranger ? 'denied' : 'granted',
          stranger ? 'deny' : 'unlock',
          'enforce',
          reason,
        );
      }
    })();
  }
  const insA = db.prepare(
    `INSERT INTO alerts(id, kind, severity, state, household_id, resident_id, door_id, reader_id, subject, first_ts, last_ts,
       count, evidence, created_at, updated_at) VALUES (?, ?, 'warning', ?, ?, NULL, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (let i = 0; i < o.alerts; i++) {
      const ts = Math.floor(start + (i / o.alerts) * span);
      const r = readers[i % readers.length]!;
      const kind = i % 3 === 0 ? 'inactive_resident' : 'stranger';
      const h = kind === 'stranger' ? null : (households[i % households.length] ?? null);
      const ev = JSON.stringify({
        entries: [
          {
            seq: 1 + Math.floor((i / o.alerts) * o.entries),
            readerId: r.id,
            recordId: 'x',
            ts,
            type: 'face',
            score: 0.5,
            thumb: null,
            reasons: [kind],
          },
        ],
      });
      const id = `al-${ts.toString(36).padStart(10, '0')}${String(i).padStart(10, '0')}`;
      insA.run(
        id,
        kind,
        i > o.alerts - 500 ? 'open' : 'closed',
        h,
        r.door,
        r.id,
        `${kind}:${i}`,
        ts,
        ts,
        ev,
        ts,
        ts,
      );
    }
  })();
  const insAudit = db.prepare(
    "INSERT INTO audit(ts, actor, role, action, household_id, ip, outcome) VALUES (?, ?, 'operator', ?, ?, '10.0.0.8', 'ok')",
  );
  db.transaction(() => {
    for (let i = 0; i < o.audit; i++) {
      const view = i % 4 !== 0;
      insAudit.run(
        Math.floor(start + (i / o.audit) * span),
        `staff${i % 12}`,
        view ? 'household.view' : 'login.ok',
        view ? households[i % households.length] : null,
      );
    }
  })();
  const cases = o.cases ?? 0;
  if (cases > 0) fillLedger(db, households, start, span, cases);
  db.pragma('optimize');
  return { entries: o.entries, alerts: o.alerts, audit: o.audit, cases, households };
}

/** A case's path through the ledger, one per state it may be left in. */
const PATHS = [
  ['open'],
  ['open', 'acknowledged'],
  ['open', 'acknowledged', 'dissuaded', 'closed'],
  ['open', 'acknowledged', 'rectification_ordered'],
  ['open', 'acknowledged', 'rectification_ordered', 'rectified', 'closed'],
  ['open', 'acknowledged', 'rectification_ordered', 'overdue', 'handed_over'],
];

/**
 * A busy ledger over the same span: `n` cases (with their timelines), half as many
 * patrol visits and as many visitor passes, so the ledger pages and the monthly report
 * are timed on tables of a realistic size, not empty ones.
 */
function fillLedger(db: Db, households: string[], start: number, span: number, n: number): void {
  const buildingOf = db.prepare('SELECT building_id FROM households WHERE id = ?').pluck();
  const insC = db.prepare(
    `INSERT INTO cases(id, kind, source, state, household_id, building_id, subject, alert_id, pattern_ts, detected_ts,
       last_ts, deadline, summary, evidence, created_at, updated_at)
     VALUES (?, ?, 'detector', ?, ?, ?, ?, NULL, ?, ?, ?, ?, '', ?, ?, ?)`,
  );
  const insE = db.prepare(
    'INSERT INTO case_events(case_id, state, prev, actor, at, note, deadline) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insP = db.prepare(
    `INSERT INTO patrols(id, date, inspector, household_id, building_id, result, note, created_by, created_at)
     VALUES (?, ?, ?, ?, ?, ?, NULL, 'bench', ?)`,
  );
  const insV = db.prepare(
    `INSERT INTO passes(id, kind, household_id, name, phone_masked, valid_from, valid_to, created_by, created_at)
     VALUES (?, 'visitor', ?, '访客', '138****0000', ?, ?, 'bench', ?)`,
  );
  const evidence = JSON.stringify({ entries: [], persons: [] });
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const h = households[(i * 7) % households.length]!;
      const b = buildingOf.get(h) as string;
      const ts = Math.floor(start + (i / n) * span);
      const path = PATHS[i % PATHS.length]!;
      const kind = CASE_KINDS[i % CASE_KINDS.length]!;
      const id = `case-${String(i).padStart(8, '0')}`;
      const last = ts + (path.length - 1) * 3_600_000;
      const deadline = path.includes('rectification_ordered') ? ts + 15 * 86_400_000 : null;
      insC.run(
        id,
        kind,
        path.at(-1),
        h,
        b,
        `${kind}:${h}`,
        ts - 3 * 86_400_000,
        ts,
        last,
        deadline,
        evidence,
        ts,
        last,
      );
      for (const [k, state] of path.entries())
        insE.run(
          id,
          state,
          path[k - 1] ?? null,
          k === 0 ? 'detector' : `staff${k}`,
          ts + k * 3_600_000,
          null,
          null,
        );
      if (i % 2 === 0) {
        const date = new Date(ts + 8 * 3_600_000).toISOString().slice(0, 10);
        const result = i % 6 === 0 ? 'violation_found' : i % 4 === 0 ? 'nobody_home' : 'normal';
        insP.run(`pt-${i}`, date, `巡查员${i % 5}`, h, b, result, ts);
      }
      insV.run(`ps-${i}`, h, ts, ts + 3 * 86_400_000, ts);
    }
  })();
}
