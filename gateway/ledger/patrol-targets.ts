import { type CaseKind, label } from '../../core/codes.js';
import type { Db } from '../store/db.js';

/**
 * Patrols of estate agencies and online listings (经纪门店、网络平台, issue 16): a patrol may
 * look at one of these instead of a household. Its target is stored beside the patrol row
 * (patrol_targets); a finding opens a case with the listing as evidence, and is tied to a
 * household when the operator can tell which.
 */

/** An agency patrolled. */
export interface AgencyTarget {
  kind: 'agency';
  name: string;
  address: string;
}

/** An online listing patrolled. */
export interface ListingTarget {
  kind: 'listing';
  platform: string;
  url: string;
  listingId?: string;
  /** Rent asked, yuan a month. */
  price?: number;
  /** The listing's words as copied. */
  text?: string;
}

/** What a patrol looked at when not a household. */
export type PatrolTarget = AgencyTarget | ListingTarget;

/** A target as the API lists it. */
export interface TargetView {
  kind: string;
  name: string | null;
  address: string | null;
  platform: string | null;
  url: string | null;
  listingId: string | null;
  price: number | null;
  text: string | null;
}

/** The case kind a finding opens unless the operator names another. */
export function defaultViolation(t: PatrolTarget): CaseKind {
  return t.kind === 'listing' ? 'listed_for_rent' : 'agency_listing';
}

/** How a case's summary names the target. */
export function targetSummary(t: PatrolTarget): string {
  return t.kind === 'listing'
    ? `网络房源巡查发现违规 (${label('listingPlatform', t.platform)}${t.listingId ? ` ${t.listingId}` : ''})`
    : `经纪门店巡查发现违规 (${t.name})`;
}

/** The target as a case's evidence carries it (the listing is the evidence). */
export function targetEvidence(t: PatrolTarget): Record<string, unknown> {
  return t.kind === 'listing'
    ? {
        target: 'listing',
        platform: t.platform,
        platformLabel: label('listingPlatform', t.platform),
        url: t.url,
        listingId: t.listingId ?? null,
        price: t.price ?? null,
        listingText: t.text ?? null,
      }
    : { target: 'agency', agency: t.name, address: t.address };
}

/** Stores a patrol's target (inside the patrol's transaction). */
export function insertTarget(db: Db, patrolId: string, t: PatrolTarget): void {
  db.prepare(
    `INSERT INTO patrol_targets(patrol_id, kind, name, address, platform, url, listing_ref, price, text)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    patrolId,
    t.kind,
    t.kind === 'agency' ? t.name : null,
    t.kind === 'agency' ? t.address : null,
    t.kind === 'listing' ? t.platform : null,
    t.kind === 'listing' ? t.url : null,
    t.kind === 'listing' ? (t.listingId ?? null) : null,
    t.kind === 'listing' ? (t.price ?? null) : null,
    t.kind === 'listing' ? (t.text ?? null) : null,
  );
}

/** The target of a patrol, or null for a household patrol. */
export function targetOf(db: Db, patrolId: string): TargetView | null {
  return (
    (db
      .prepare(
        `SELECT kind, name, address, platform, url, listing_ref AS listingId, price, text
           FROM patrol_targets WHERE patrol_id = ?`,
      )
      .get(patrolId) as TargetView | undefined) ?? null
  );
}
