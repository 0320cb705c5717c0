import { GatewayError } from '../../../core/errors.js';
import type { RosterDocument, RosterPayload } from '../../../core/roster-message.js';
import { type Db, setMeta } from '../../store/db.js';
import { parseRoster } from '../import.js';
import type { RosterSnapshot } from '../model.js';
import { type ImportStats, saveRoster } from '../repository.js';

/** What applying a message changed, for the log line (counts, no personal data). */
export interface ApplyStats {
  households: number;
  residents: number;
  credentials: number;
  movedOut: number;
  terminated: number;
}

/**
 * The roster rows of a document, checked by the import's own rules (GB 11643, dates, roles,
 * duplicates): a synced roster is held to exactly what an imported file is. Throws
 * ROSTER_INVALID with the count and the first problems (fields and reasons, no values of an
 * ID number: the import's reasons never carry one).
 */
export function rosterRows(doc: RosterDocument, idHashKey: string): RosterSnapshot {
  const parsed = parseRoster(JSON.stringify(doc), 'json', idHashKey);
  if (parsed.snapshot) return parsed.snapshot;
  const first = parsed.errors
    .slice(0, 3)
    .map((e) => `${e.field || '(row)'}: ${e.reason}`)
    .join('; ');
  throw new GatewayError('ROSTER_INVALID', `${parsed.errors.length} bad row(s): ${first}`, {
    errors: parsed.errors.length,
  });
}

/**
 * Writes a verified snapshot or delta. Call inside the transaction that also records the
 * sync state, so a message is applied whole or not at all: a snapshot replaces the roster
 * (residents it lacks become moved_out, households terminated — saveRoster's rule for a
 * replacing import); a delta merges its households and residents, then marks who left.
 * `label` becomes the roster version the rest of the gateway shows.
 */
export function applyRosterPayload(
  db: Db,
  p: RosterPayload,
  idHashKey: string,
  now: number,
  label: string,
): ApplyStats {
  if (p.kind === 'snapshot') {
    const s = saveRoster(db, rosterRows(p.roster as RosterDocument, idHashKey), 'replace', now, label);
    return statsOf(s);
  }
  if (p.kind !== 'delta') throw new GatewayError('ROSTER_INVALID', `a ${p.kind} carries no roster`);
  const c = p.changes ?? {};
  let stats: ApplyStats = { households: 0, residents: 0, credentials: 0, movedOut: 0, terminated: 0 };
  if (c.upsert && c.upsert.households.length > 0)
    stats = statsOf(saveRoster(db, rosterRows(c.upsert, idHashKey), 'merge', now, label));
  const moveOut = db.prepare(
    `UPDATE residents SET status = 'moved_out', updated_at = ? WHERE id = ? AND status != 'moved_out'`,
  );
  const isResident = db.prepare('SELECT 1 FROM residents WHERE id = ?').pluck();
  for (const id of c.moveOut ?? []) {
    // An id the roster never had means the two sides disagree on what version N holds:
    // refuse the whole delta (the caller asks for a snapshot) rather than guess.
    if (!isResident.get(id)) throw new GatewayError('ROSTER_INVALID', `moveOut names unknown resident ${id}`);
    stats.movedOut += moveOut.run(now, id).changes;
  }
  const terminate = db.prepare(
    `UPDATE households SET status = 'terminated', updated_at = ? WHERE id = ? AND status != 'terminated'`,
  );
  const isHousehold = db.prepare('SELECT 1 FROM households WHERE id = ?').pluck();
  for (const id of c.terminate ?? []) {
    if (!isHousehold.get(id))
      throw new GatewayError('ROSTER_INVALID', `terminate names unknown household ${id}`);
    stats.terminated += terminate.run(now, id).changes;
  }
  setMeta(db, 'roster_version', label);
  setMeta(db, 'roster_updated_at', String(now));
  return stats;
}

function statsOf(s: ImportStats): ApplyStats {
  return {
    households: s.households,
    residents: s.residents,
    credentials: s.credentials,
    movedOut: s.movedOut,
    terminated: s.terminated,
  };
}
