import type { Db } from '../store/db.js';

/**
 * Which households an online listing may be about (issue 16): the operator picks one; the
 * gateway suggests from the listing's words. Listings say where a flat is the way people
 * do — 3号楼502室, 3栋502, 3幢5楼502, 3-502, 12号1203 — so the words are read for building
 * numbers and room numbers, and compared with the roster's buildings (by the number in their
 * name or id) and rooms (by number: 502 is room 0502).
 */

/** What the words say: building numbers and room numbers, with the text that said each. */
export interface Place {
  buildings: Array<{ n: number; said: string }>;
  rooms: Array<{ n: number; said: string }>;
}

const WIDE = /[０-９－]/g;

/** Full-width digits and dashes (common in pasted Chinese text) as ASCII. */
function narrow(s: string): string {
  return s.replace(WIDE, (c) => (c === '－' ? '-' : String.fromCharCode(c.charCodeAt(0) - 0xff10 + 48)));
}

/** Reads building and room numbers out of a listing's text. */
export function readPlace(text: string): Place {
  const s = narrow(text);
  const buildings: Place['buildings'] = [];
  const rooms: Place['rooms'] = [];
  const add = (list: Array<{ n: number; said: string }>, n: number, said: string) => {
    if (Number.isFinite(n) && n > 0 && !list.some((x) => x.n === n)) list.push({ n, said });
  };
  // 3号楼 3栋 3幢 3座 (and "3号" followed by a room: 12号1203)
  for (const m of s.matchAll(/(\d{1,3})\s*(号楼|栋|幢|座|号(?=\s*\d{3,4}))/g))
    add(buildings, Number(m[1]), m[0]);
  // 502室 502房 1203号房
  for (const m of s.matchAll(/(\d{3,4})\s*(室|房|号房)/g)) add(rooms, Number(m[1]), m[0]);
  // 3-502, 3-2-502 (building-entrance-room), 3号楼2单元502 — not a price or area range (2-3500元)
  for (const m of s.matchAll(
    /(?<![\d.])(\d{1,3})-(?:\d{1,2}-)?(\d{3,4})(?![\d.])(?!\s*(?:元|平|㎡|m²|万))/g,
  )) {
    add(buildings, Number(m[1]), m[0]);
    add(rooms, Number(m[2]), m[0]);
  }
  for (const m of s.matchAll(/单元\s*(\d{3,4})(?!\d)/g)) add(rooms, Number(m[1]), m[0]);
  // A bare room after a building: "3栋 502" or "3号楼502"
  for (const m of s.matchAll(/(?:号楼|栋|幢|座|号)\s*(\d{3,4})(?!\s*(?:元|平|㎡|m|\d))/g))
    add(rooms, Number(m[1]), m[0]);
  return { buildings, rooms };
}

/** A suggested household: how well it matches, and which words matched. */
export interface Suggestion {
  householdId: string;
  buildingId: string;
  buildingName: string | null;
  room: string;
  score: number;
  why: string[];
}

/** The number of a building, from its name (3号楼) or its id (B03). */
function buildingNumber(id: string, name: string | null): number | null {
  const m = /(\d+)/.exec(name ?? '') ?? /(\d+)/.exec(id);
  return m ? Number(m[1]) : null;
}

/**
 * The households the text may be about, best first: building and room both match (1.0),
 * a room that exists in one building only (0.6), a room found in several buildings (0.3).
 * Terminated households are left out. Nothing when the text names no room.
 */
export function suggestHouseholds(db: Db, text: string, limit: number): Suggestion[] {
  const place = readPlace(text);
  if (place.rooms.length === 0) return [];
  const rows = db
    .prepare(
      `SELECT h.id AS householdId, h.building_id AS buildingId, b.name AS buildingName, h.room
         FROM households h LEFT JOIN buildings b ON b.id = h.building_id WHERE h.status != 'terminated'`,
    )
    .all() as Array<Omit<Suggestion, 'score' | 'why'>>;
  const out: Suggestion[] = [];
  for (const room of place.rooms) {
    const same = rows.filter((r) => /^\d+$/.test(r.room) && Number(r.room) === room.n);
    for (const r of same) {
      const bn = buildingNumber(r.buildingId, r.buildingName);
      const building = place.buildings.find((b) => b.n === bn);
      const score = building ? 1 : place.buildings.length ? 0.1 : same.length === 1 ? 0.6 : 0.3;
      const why = building ? [building.said, room.said] : [room.said];
      const prev = out.find((x) => x.householdId === r.householdId);
      if (!prev) out.push({ ...r, score, why: [...new Set(why)] });
      else if (score > prev.score) Object.assign(prev, { score, why: [...new Set(why)] });
    }
  }
  return out
    .filter((s) => s.score >= 0.3)
    .sort(
      (a, b) => b.score - a.score || a.buildingId.localeCompare(b.buildingId) || a.room.localeCompare(b.room),
    )
    .slice(0, limit);
}
