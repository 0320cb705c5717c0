import { HOUSING_TYPE_LABELS, type HousingType } from '../../roster/model.js';
import { listAlerts, listEntries } from '../../store/queries.js';
import { problem, type RouteModule } from '../context.js';
import * as S from '../schemas.js';

type N = string | null;
interface HouseholdRow {
  id: string;
  buildingId: string;
  buildingName: N;
  entranceId: N;
  room: string;
  housingType: HousingType;
  leaseStart: N;
  leaseEnd: N;
  status: string;
}
interface MemberRow {
  id: string;
  role: string;
  name: string;
  idMasked: N;
  phoneMasked: N;
  validFrom: N;
  validTo: N;
  status: string;
}

/** Credentials are shown masked: never a full card number or ID number. */
export function maskCredential(kind: string, key: string, idMasked: string | null): string {
  if (kind === 'idcard') return idMasked ?? '******';
  if (kind === 'card') return `****${key.slice(-4)}`;
  if (kind === 'qrcode') return '******';
  return key;
}

/** The household file (一户一档): lease, members, masked credentials, recent entries, alerts. */
export const householdRoutes: RouteModule = (app, { d, present }) => {
  const householdOf = d.db.prepare(
    `SELECT h.id, h.building_id AS buildingId, b.name AS buildingName, h.entrance_id AS entranceId, h.room,
            h.housing_type AS housingType, h.lease_start AS leaseStart, h.lease_end AS leaseEnd, h.status
       FROM households h LEFT JOIN buildings b ON b.id = h.building_id WHERE h.id = ?`,
  );
  const membersOf = d.db.prepare(
    `SELECT id, role, name, id_masked AS idMasked, phone_masked AS phoneMasked, valid_from AS validFrom,
            valid_to AS validTo, status FROM residents WHERE household_id = ? ORDER BY role DESC, id`,
  );
  const credsOf = d.db.prepare('SELECT kind, key FROM credentials WHERE resident_id = ? ORDER BY kind, key');

  app.get(
    '/api/households/:id',
    { schema: { params: S.IdParams, response: { 200: S.HouseholdReply, 404: S.ErrorReply } } },
    async (req, reply) => {
      const h = householdOf.get(req.params.id) as HouseholdRow | undefined;
      if (!h) return reply.status(404).send(problem(404, `no household ${req.params.id}`));
      const members = membersOf.all(h.id) as MemberRow[];
      return {
        ...h,
        housingTypeLabel: HOUSING_TYPE_LABELS[h.housingType],
        members: members.map((m) => ({
          ...m,
          credentials: (credsOf.all(m.id) as Array<{ kind: string; key: string }>).map((c) => ({
            kind: c.kind,
            masked: maskCredential(c.kind, c.key, m.idMasked),
          })),
        })),
        recentEntries: listEntries(d.db, { householdId: h.id }, 20).map(present.entry),
        alerts: listAlerts(d.db, { householdId: h.id }, 20).map(present.alert),
      };
    },
  );
};
