import type { Db } from '../../store/db.js';

/** One household in the search list. */
export interface HouseholdHit {
  id: string;
  buildingId: string;
  buildingName: string | null;
  room: string;
  housingType: string;
  status: string;
  leaseholder: string | null;
  members: number;
}

/**
 * Household search by building, room prefix and resident name, paged by id. Building
 * and room use households_building; a name matches anywhere in a resident's name (the
 * residents table of one estate is small enough to scan: 100,000 rows in milliseconds).
 */
export function householdSearch(db: Db) {
  const buildingsStmt = db.prepare('SELECT id, name FROM buildings ORDER BY id');
  return {
    find(
      q: { building?: string; room?: string; name?: string; after?: string },
      limit: number,
    ): HouseholdHit[] {
      const c: string[] = [];
      const p: Record<string, unknown> = {};
      if (q.building) {
        c.push('h.building_id = @building');
        p.building = q.building;
      }
      if (q.room) {
        c.push("h.room LIKE @room ESCAPE '\\'");
        p.room = `${q.room.replace(/[\\%_]/g, '\\$&')}%`;
      }
      if (q.name) {
        c.push('h.id IN (SELECT household_id FROM residents WHERE instr(name, @name) > 0)');
        p.name = q.name;
      }
      if (q.after) {
        c.push('h.id > @after');
        p.after = q.after;
      }
      const sql = `SELECT h.id, h.building_id AS buildingId, b.name AS buildingName, h.room,
          h.housing_type AS housingType, h.status,
          (SELECT name FROM residents r WHERE r.household_id = h.id AND r.role = 'leaseholder'
             ORDER BY r.status = 'active' DESC LIMIT 1) AS leaseholder,
          (SELECT count(*) FROM residents r WHERE r.household_id = h.id AND r.status = 'active') AS members
        FROM households h LEFT JOIN buildings b ON b.id = h.building_id
        ${c.length ? `WHERE ${c.join(' AND ')}` : ''} ORDER BY h.id LIMIT ${Math.max(1, Math.min(limit, 200))}`;
      return db.prepare(sql).all(p) as HouseholdHit[];
    },
    /** Every building, for the search form. */
    buildings(): Array<{ id: string; name: string }> {
      return buildingsStmt.all() as Array<{ id: string; name: string }>;
    },
  };
}
