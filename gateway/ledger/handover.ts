import { readFileSync } from 'node:fs';
import path from 'node:path';
import { label } from '../../core/codes.js';
import type { Db } from '../store/db.js';
import { type CaseRow, caseKindLabel, caseTimeline } from './case-queries.js';
import { evidenceReferences } from './handover-evidence.js';

/** Entries cited in a package at most (the alert keeps every link in alert_entries). */
const MAX_ENTRIES = 500;

/** Options of the hand-over package. */
export interface HandoverOptions {
  estate: { id: string; name: string };
  gatewayId: string;
  dataDir: string;
  /** Embed thumbnails as base64 (config ledger.handoverImages); references otherwise. */
  images: boolean;
  now: number;
}

const iso = (t: number | null | undefined) =>
  t === null || t === undefined ? null : new Date(t).toISOString();

/**
 * The evidence of a case as one JSON document for the enforcement office (移交城管):
 * the case and its timeline, the household and its registered members (masked), the
 * entries that triggered it with their thumbnail references, patrols and tips about the
 * household. Built at hand-over and stored with the case, so it does not change later.
 */
export function buildHandover(db: Db, c: CaseRow, o: HandoverOptions): Record<string, unknown> {
  const household = c.householdId
    ? (db
        .prepare(
          `SELECT h.id, h.building_id AS buildingId, b.name AS buildingName, h.entrance_id AS entranceId, h.room,
                  h.housing_type AS housingType, h.lease_start AS leaseStart, h.lease_end AS leaseEnd, h.status
             FROM households h LEFT JOIN buildings b ON b.id = h.building_id WHERE h.id = ?`,
        )
        .get(c.householdId) as Record<string, unknown> | undefined)
    : undefined;
  const members = c.householdId
    ? db
        .prepare(
          `SELECT id, role, name, id_masked AS idMasked, phone_masked AS phoneMasked, status
             FROM residents WHERE household_id = ? ORDER BY role DESC, id`,
        )
        .all(c.householdId)
    : [];
  const entries = c.alertId
    ? (db
        .prepare(
          `SELECT j.seq, j.ts, j.reader_id AS readerId, j.door_id AS doorId, j.direction, j.type, j.score, j.thumb,
                  d.outcome, d.reasons, d.resident_id AS residentId
             FROM alert_entries ae JOIN journal j ON j.seq = ae.seq JOIN decisions d ON d.seq = j.seq
            WHERE ae.alert_id = ? ORDER BY j.seq LIMIT ${MAX_ENTRIES}`,
        )
        .all(c.alertId) as Array<Record<string, unknown>>)
    : [];
  const thumbs = new Set<string>();
  for (const e of entries) if (typeof e.thumb === 'string') thumbs.add(e.thumb);
  for (const t of collectThumbs(c.evidence)) thumbs.add(t);
  const patrols = c.householdId
    ? db
        .prepare(
          'SELECT date, inspector, result, note, photo FROM patrols WHERE household_id = ? ORDER BY date',
        )
        .all(c.householdId)
    : [];
  const tips = c.householdId
    ? db
        .prepare(
          'SELECT received_at AS receivedAt, channel, kind, content FROM tips WHERE household_id = ? ORDER BY received_at',
        )
        .all(c.householdId)
    : [];
  return {
    format: 'estate-gateway.handover/1',
    generatedAt: iso(o.now),
    estate: { ...o.estate, gatewayId: o.gatewayId },
    case: {
      id: c.id,
      kind: c.kind,
      label: caseKindLabel(c.kind),
      source: c.source,
      state: c.state,
      stateLabel: label('caseState', c.state),
      summary: c.summary,
      patternTime: iso(c.patternTs),
      detectedTime: iso(c.detectedTs),
      deadline: iso(c.deadline),
      evidence: c.evidence,
    },
    timeline: caseTimeline(db, c.id).map((e) => ({
      ...e,
      at: iso(e.at),
      deadline: iso(e.deadline),
      label: label('caseState', e.state),
    })),
    household: household ?? null,
    members,
    entries: entries.map((e) => ({
      ...e,
      ts: undefined,
      time: iso(e.ts as number),
      reasons: String(e.reasons).split(' '),
    })),
    thumbnails: [...thumbs].map((ref) => thumbnail(o, ref)),
    // Uploaded photos and documents of the case (issue 16): by id and checksum only.
    files: evidenceReferences(db, c.id),
    patrols,
    tips: (tips as Array<Record<string, unknown>>).map((t) => ({
      ...t,
      receivedAt: iso(t.receivedAt as number),
    })),
  };
}

function thumbnail(o: HandoverOptions, ref: string): Record<string, unknown> {
  if (!o.images) return { ref };
  try {
    return { ref, data: readFileSync(path.join(o.dataDir, ref)).toString('base64') };
  } catch {
    return { ref, data: null, missing: 'expired (retention) or never written' };
  }
}

function collectThumbs(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string' && /^thumbs\//.test(v)) out.push(v);
  else if (Array.isArray(v)) for (const x of v) collectThumbs(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) collectThumbs(x, out);
  return out;
}
