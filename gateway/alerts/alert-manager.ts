import { cloudEvent } from '../../core/cloudevent.js';
import { type AlertKind, CODES, type Severity } from '../../core/codes.js';
import { newId } from '../../core/ids.js';
import type { Store } from '../store/store.js';
import { CLASS_ALERT, type Outbox } from '../upstream/outbox.js';
import type { AlertCandidate, Finding } from './per-entry.js';

/** One journal entry cited as evidence: enough for a person to judge without digging. */
export interface EvidenceEntry {
  seq: number;
  readerId: string;
  recordId: string;
  ts: number;
  type: string;
  score: number | null;
  /** Thumbnail reference (path under the data dir), never the image. */
  thumb: string | null;
  reasons: string[];
}

export interface AlertRecord {
  id: string;
  kind: AlertKind;
  severity: Severity;
  state: string;
  householdId: string | null;
  residentId: string | null;
  doorId: string | null;
  readerId: string | null;
  subject: string;
  firstTs: number;
  lastTs: number;
  count: number;
  evidence: { entries: EvidenceEntry[]; chain?: Record<string, unknown> };
}

/** Told of every finding raised or updated, inside the same transaction (the ledger opens cases). */
export type FindingHook = (alert: AlertRecord, f: Finding, isNew: boolean, now: number) => void;

/** Evidence entries kept inline on an alert; alert_entries keeps them all. */
const MAX_INLINE_EVIDENCE = 20;

const INSERT = `INSERT INTO alerts(id, kind, severity, state, household_id, resident_id, door_id, reader_id, subject,
                                   first_ts, last_ts, count, evidence, created_at, updated_at)
  VALUES (@id, @kind, @severity, 'open', @householdId, @residentId, @doorId, @readerId, @subject,
          @firstTs, @lastTs, @count, @evidence, @now, @now)`;
const UPDATE = 'UPDATE alerts SET last_ts = ?, count = ?, evidence = ?, updated_at = ? WHERE id = ?';
const STATE_OF = 'SELECT state FROM alerts WHERE id = ?';
const LINK = 'INSERT OR IGNORE INTO alert_entries(alert_id, seq) VALUES (?, ?)';

/**
 * Stores alerts and coalesces repeats: the same kind, door and subject within the window
 * update one alert (count, last time, evidence) instead of raising a new one, so a
 * stranger trying a door five times is one alert, not five. A new alert also goes to
 * the outbox as a CloudEvent in the same transaction.
 */
export class AlertManager {
  readonly #open = new Map<string, AlertRecord>();
  /** Repeated alerts whose row is not written yet, with the time of their last repeat. */
  readonly #dirty = new Map<AlertRecord, number>();
  /**
   * Open findings by kind|subject: pattern alerts whose case is not closed (few). Loaded
   * from the store on first use, because the store may open after the manager is built.
   */
  #loadedFindings: Map<string, AlertRecord> | null = null;
  readonly #store: Store;
  readonly #hook: FindingHook | null;
  readonly #outbox: Outbox;
  readonly #source: string;
  readonly #windowMs: number;
  #raised = 0;
  #latest = 0;

  /** `source`: this gateway's CloudEvents source; `coalesceMs`: alerts.coalesceSeconds in ms. */
  /** `onFinding` is told of every finding raised or updated (the ledger opens and updates cases). */
  constructor(
    store: Store,
    outbox: Outbox,
    source: string,
    coalesceMs: number,
    onFinding: FindingHook | null = null,
  ) {
    this.#store = store;
    this.#hook = onFinding;
    this.#outbox = outbox;
    this.#source = source;
    this.#windowMs = coalesceMs;
  }

  get #findings(): Map<string, AlertRecord> {
    if (this.#loadedFindings) return this.#loadedFindings;
    const rows = this.#store
      .statement(
        `SELECT a.id, a.kind, a.severity, a.state, a.household_id AS householdId, a.resident_id AS residentId,
                a.door_id AS doorId, a.reader_id AS readerId, a.subject, a.first_ts AS firstTs, a.last_ts AS lastTs,
                a.count, a.evidence
           FROM cases c JOIN alerts a ON a.id = c.alert_id WHERE c.state != 'closed'`,
      )
      .all() as Array<AlertRecord & { evidence: string }>;
    const findings = new Map<string, AlertRecord>();
    for (const r of rows) findings.set(`${r.kind}|${r.subject}`, { ...r, evidence: JSON.parse(r.evidence) });
    this.#loadedFindings = findings;
    return findings;
  }

  /**
   * Raises or updates an alert with its evidence: the entry that caused it, several
   * (a person–card mismatch cites both reads), or none. Must run inside the caller's
   * transaction, which calls flush() before it ends. Returns the alert and whether it is new.
   */
  raise(
    c: AlertCandidate,
    evidence: EvidenceEntry | readonly EvidenceEntry[] | null,
    now: number,
  ): { alert: AlertRecord; isNew: boolean } {
    const entries: readonly EvidenceEntry[] =
      evidence === null ? [] : 'seq' in evidence ? [evidence] : evidence;
    if (c.finding) return this.#raiseFinding(c, c.finding, c.finding.attachEntry ? entries : [], now);
    const key = `${c.kind}|${c.doorId ?? ''}|${c.subject}`;
    this.#latest = Math.max(this.#latest, c.ts);
    if (++this.#raised % 5000 === 0) this.#sweep();
    const cur = this.#open.get(key);
    if (cur && this.#windowMs > 0 && Math.abs(c.ts - cur.lastTs) <= this.#windowMs) {
      cur.count++;
      cur.lastTs = Math.max(cur.lastTs, c.ts);
      if (c.details) cur.evidence.chain = c.details;
      this.#attach(cur, entries);
      // Its row is written once per transaction (flush), not once per repeat: a door that
      // sees the same person at the wrong building all morning rewrote ~5 KB of inline
      // evidence JSON per read (19 % of the live daemon's profile in the scaling bench).
      this.#dirty.set(cur, now);
      return { alert: cur, isNew: false };
    }
    const alert = this.#create(c, entries, now, c.details);
    if (this.#windowMs > 0) this.#open.set(key, alert);
    return { alert, isNew: true };
  }

  /**
   * A pattern finding: one alert per ongoing situation (kind and subject) until its case
   * is closed; later reports update its count, evidence and chain. An update of a
   * situation whose case was closed is dropped (a detector never reopens by repetition).
   */
  #raiseFinding(
    c: AlertCandidate,
    f: Finding,
    entries: readonly EvidenceEntry[],
    now: number,
  ): { alert: AlertRecord; isNew: boolean } {
    const key = `${c.kind}|${c.subject}`;
    let cur = this.#findings.get(key);
    // The ledger closes cases (it writes the case's state on its alert): a closed
    // situation is forgotten, so the next report of it opens a new one.
    if (cur && this.#store.statement(STATE_OF).pluck().get(cur.id) === 'closed') {
      this.#findings.delete(key);
      cur = undefined;
    }
    if (cur) {
      cur.count++;
      cur.lastTs = Math.max(cur.lastTs, c.ts);
      cur.evidence.chain = f.chain;
      this.#attach(cur, entries);
      this.#store.statement(UPDATE).run(cur.lastTs, cur.count, JSON.stringify(cur.evidence), now, cur.id);
      this.#hook?.(cur, f, false, now);
      return { alert: cur, isNew: false };
    }
    if (f.phase === 'update') return { alert: this.#transient(c), isNew: false };
    const alert = this.#create(c, entries, now, f.chain);
    this.#findings.set(key, alert);
    this.#hook?.(alert, f, true, now);
    return { alert, isNew: true };
  }

  /** An alert that is not stored (an update of a closed situation): nothing to emit. */
  #transient(c: AlertCandidate): AlertRecord {
    return {
      id: '',
      kind: c.kind,
      severity: CODES.alertKind[c.kind].severity,
      state: 'closed',
      householdId: c.householdId,
      residentId: c.residentId,
      doorId: c.doorId,
      readerId: c.readerId,
      subject: c.subject,
      firstTs: c.ts,
      lastTs: c.ts,
      count: 0,
      evidence: { entries: [] },
    };
  }

  /** Adds evidence to an alert: inline (the latest few) and linked (all). */
  #attach(a: AlertRecord, entries: readonly EvidenceEntry[]): void {
    for (const entry of entries) {
      a.evidence.entries.push(entry);
      if (a.evidence.entries.length > MAX_INLINE_EVIDENCE) a.evidence.entries.shift();
      this.#store.statement(LINK).run(a.id, entry.seq);
    }
  }

  #create(
    c: AlertCandidate,
    entries: readonly EvidenceEntry[],
    now: number,
    chain?: Record<string, unknown>,
  ): AlertRecord {
    const alert: AlertRecord = {
      id: newId('al', now),
      kind: c.kind,
      severity: CODES.alertKind[c.kind].severity,
      state: 'open',
      householdId: c.householdId,
      residentId: c.residentId,
      doorId: c.doorId,
      readerId: c.readerId,
      subject: c.subject,
      firstTs: c.ts,
      lastTs: c.ts,
      count: 1,
      evidence: chain ? { entries: [...entries], chain } : { entries: [...entries] },
    };
    this.#store.statement(INSERT).run({ ...alert, evidence: JSON.stringify(alert.evidence), now });
    for (const entry of entries) this.#store.statement(LINK).run(alert.id, entry.seq);
    this.#outbox.add(
      cloudEvent(this.#source, {
        id: alert.id,
        type: `estate.alert.${alert.kind}`,
        time: alert.firstTs,
        subject: alert.householdId,
        data: alertData(alert),
      }),
      CLASS_ALERT,
      'alerts',
      now,
    );
    return alert;
  }

  /**
   * Writes the rows of the alerts repeated since the last flush (count, last time, inline
   * evidence). The caller runs it at the end of the transaction its raises ran in.
   */
  flush(): void {
    for (const [a, now] of this.#dirty)
      this.#store.statement(UPDATE).run(a.lastTs, a.count, JSON.stringify(a.evidence), now, a.id);
    this.#dirty.clear();
  }

  /** Forgets coalescing state, e.g. after a failed transaction rolled its rows back. */
  resetCache(): void {
    this.#dirty.clear();
    this.#open.clear();
    this.#loadedFindings = null;
  }

  #sweep(): void {
    for (const [k, a] of this.#open) if (this.#latest - a.lastTs > this.#windowMs) this.#open.delete(k);
  }
}

/** The `data` of an alert CloudEvent: references, counts, no images (issue 4 privacy). */
export function alertData(a: AlertRecord): Record<string, unknown> {
  return {
    alertId: a.id,
    kind: a.kind,
    label: CODES.alertKind[a.kind].zh,
    severity: a.severity,
    householdId: a.householdId,
    residentId: a.residentId,
    doorId: a.doorId,
    readerId: a.readerId,
    firstTime: new Date(a.firstTs).toISOString(),
    count: a.count,
    ...(a.evidence.chain ? { chain: a.evidence.chain } : {}),
    evidence: a.evidence.entries.map((e) => ({
      seq: e.seq,
      readerId: e.readerId,
      recordId: e.recordId,
      time: new Date(e.ts).toISOString(),
      type: e.type,
      score: e.score,
      thumb: e.thumb,
      reasons: e.reasons,
    })),
  };
}
