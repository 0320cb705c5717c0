import { label } from '../../core/codes.js';
import { entriesOfAlert } from '../pipeline/journal.js';
import type { Db } from '../store/db.js';
import { type CaseRow, caseKindLabel, caseTimeline } from './case-queries.js';
import { isThumbRef, readThumb, thumbRefsOfEvidence } from './evidence-refs.js';
import { evidenceReferences } from './handover-evidence.js';

/** Entries cited in a package at most (the alert keeps every link in alert_entries). */
const MAX_ENTRIES = 500;

/** Options of the hand-over package. */
export interface HandoverOptions {
  estate: { id: string; name: string };
  gatewayId: string;
  now: number;
}

const iso = (t: number | null | undefined) =>
  t === null || t === undefined ? null : new Date(t).toISOString();

/**
 * The evidence of a case as one JSON document for the enforcement office (移交城管):
 * the case and its timeline, the household and its registered members (masked), the
 * entries that triggered it with their thumbnail references, patrols and tips about the
 * household. Built at hand-over and stored with the case, so it does not change later.
 * It holds thumbnail references only (evidence-refs.ts: the id format, taken from the
 * fields that carry them, never from free text); images are added when it is downloaded
 * (withImages), so no face is copied into the case row.
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
    ? entriesOfAlert(db, c.alertId, MAX_ENTRIES).map((e) => ({
        seq: e.seq,
        ts: e.ts,
        readerId: e.readerId,
        doorId: e.doorId,
        direction: e.direction,
        type: e.type,
        score: e.score,
        thumb: e.thumb,
        outcome: e.outcome,
        reasons: e.reasons,
        residentId: e.residentId,
      }))
    : [];
  const thumbs = new Set<string>();
  for (const e of entries) if (isThumbRef(e.thumb)) thumbs.add(e.thumb);
  for (const t of thumbRefsOfEvidence(c.evidence)) thumbs.add(t);
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
      time: iso(e.ts),
    })),
    thumbnails: [...thumbs].map((ref) => ({ ref })),
    // Uploaded photos and documents of the case (issue 16): by id and checksum only.
    files: evidenceReferences(db, c.id),
    patrols,
    tips: (tips as Array<Record<string, unknown>>).map((t) => ({
      ...t,
      receivedAt: iso(t.receivedAt as number),
    })),
  };
}

/** A package's thumbnail as downloaded: its reference, and its image when asked for and still on the box. */
export interface HandoverThumbnail {
  ref: string;
  data?: string | null;
  missing?: string;
}

const MISSING: Record<string, string> = {
  missing: 'expired (retention) or never written',
  refused: 'not a thumbnail reference: not read',
  too_large: 'larger than a thumbnail: not read',
};

/**
 * The stored package with its thumbnails' images (base64) read now through the one safe
 * reader (ledger.handoverImages): references that are not thumbnail ids, or that lead
 * out of `dataDir/thumbs`, are never read. Packages stored before issue 9 carried images
 * (and possibly refs from free text): each entry is rebuilt from its `ref` alone.
 */
export async function withImages(
  pkg: { thumbnails?: unknown },
  dataDir: string,
): Promise<HandoverThumbnail[]> {
  const refs = Array.isArray(pkg.thumbnails) ? pkg.thumbnails : [];
  const out: HandoverThumbnail[] = [];
  for (const t of refs) {
    const ref = t && typeof t === 'object' ? (t as { ref?: unknown }).ref : undefined;
    if (!isThumbRef(ref)) continue;
    const r = await readThumb(dataDir, ref);
    out.push(
      r.data
        ? { ref, data: r.data.toString('base64') }
        : { ref, data: null, missing: MISSING[r.why] ?? r.why },
    );
  }
  return out;
}

/** The stored package's thumbnails as references only (images off, or a package stored with images before issue 9). */
export function refsOnly(pkg: { thumbnails?: unknown }): HandoverThumbnail[] {
  const refs = Array.isArray(pkg.thumbnails) ? pkg.thumbnails : [];
  return refs
    .map((t) => (t && typeof t === 'object' ? (t as { ref?: unknown }).ref : undefined))
    .filter(isThumbRef)
    .map((ref) => ({ ref }));
}
