import { type HousingType, label } from '../../../core/codes.js';
import { maskName } from '../../../core/id-number.js';
import { listCases } from '../../ledger/case-queries.js';
import { listEntries } from '../../pipeline/journal.js';
import { listAlerts } from '../../store/queries.js';
import type { RouteModule } from '../context.js';
import { maskNullable, maskText } from '../mask-text.js';
import { maskEntry } from '../present.js';
import { problem } from '../problem.js';
import * as S from '../schemas.js';
import * as H from '../schemas-households.js';
import { evidenceLink } from '../workflow-views.js';
import { caseView, evidenceFor } from './cases.js';
import { faceOfferView } from './face-offers.js';
import { householdSearch } from './household-search.js';
import { passView } from './passes.js';

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

interface RefusalRow {
  readerId: string;
  personKey: string;
  residentId: N;
  passId: N;
  action: string;
  code: string;
  vendorCode: N;
  message: string;
  since: number;
  at: number;
  attempts: number;
}

interface PatrolRow {
  id: string;
  date: string;
  inspector: string;
  result: string;
  note: N;
  photo: N;
  caseId: N;
  createdBy: string;
  createdAt: number;
}

/** Credentials are shown masked: never a full card number or ID number. */
export function maskCredential(kind: string, key: string, idMasked: string | null): string {
  if (kind === 'idcard') return idMasked ?? '******';
  if (kind === 'card') return `****${key.slice(-4)}`;
  if (kind === 'qrcode') return '******';
  return key;
}

/**
 * The household file (一户一档): lease, members, masked credentials, recent entries,
 * alerts, visitor passes, ledger cases and patrol visits; and the search that finds it. Every file view is audited; viewers see names
 * masked and may not search by name.
 */
export const householdRoutes: RouteModule = (app, w) => {
  const { d, present } = w;
  const search = householdSearch(d.db);

  app.get(
    '/api/households',
    {
      schema: {
        querystring: H.HouseholdSearchQuery,
        response: { 200: H.HouseholdSearchReply, 403: S.ErrorReply },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const masked = w.masked(req);
      if (q.name && masked)
        return reply.status(403).send(problem(403, 'searching by name requires the operator role'));
      const items = search.find(q, q.limit);
      if (q.name)
        w.audit(req, { action: 'household.search', detail: { byName: true, results: items.length } });
      return {
        items: items.map((h) => ({
          ...h,
          housingTypeLabel: label('housingType', h.housingType),
          leaseholder: h.leaseholder && masked ? maskName(h.leaseholder) : h.leaseholder,
        })),
        next: items.length === q.limit ? (items.at(-1)?.id ?? null) : null,
        buildings: search.buildings(),
      };
    },
  );

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
  // Persons of the household a face terminal refuses (issue 11): residents by face id,
  // visitors by their pass's person id.
  const refusalsOf = d.db.prepare(
    `SELECT f.reader_id AS readerId, f.person_key AS personKey, c.resident_id AS residentId, NULL AS passId,
            f.action, f.code, f.vendor_code AS vendorCode, f.message, f.first_at AS since, f.at, f.attempts
       FROM face_refusals f
       JOIN credentials c ON c.kind = 'face' AND c.key = f.person_key
       JOIN residents r ON r.id = c.resident_id
      WHERE r.household_id = @h
     UNION ALL
     SELECT f.reader_id, f.person_key, NULL, s.id, f.action, f.code, f.vendor_code, f.message, f.first_at, f.at, f.attempts
       FROM face_refusals f JOIN passes s ON s.face_person_id = f.person_key
      WHERE s.household_id = @h
     ORDER BY 10 DESC LIMIT 50`,
  );
  const patrolsOf = d.db.prepare(
    `SELECT id, date, inspector, result, note, photo, case_id AS caseId, created_by AS createdBy, created_at AS createdAt
       FROM patrols WHERE household_id = ? ORDER BY date DESC, created_at DESC LIMIT 20`,
  );

  app.get(
    '/api/households/:id',
    { schema: { params: S.IdParams, response: { 200: H.HouseholdFile, 404: S.ErrorReply } } },
    async (req, reply) => {
      const h = householdOf.get(req.params.id) as HouseholdRow | undefined;
      if (!h) return reply.status(404).send(problem(404, `no household ${req.params.id}`));
      const members = membersOf.all(h.id) as MemberRow[];
      const masked = w.masked(req);
      /** The names a viewer must not read in the file's free text (notes, summaries). */
      const names = masked ? members.map((m) => m.name) : [];
      w.audit(req, { action: 'household.view', householdId: h.id, detail: masked ? { masked } : null });
      return {
        ...h,
        housingTypeLabel: label('housingType', h.housingType),
        members: members.map((m) => ({
          ...m,
          name: masked ? maskName(m.name) : m.name,
          credentials: (credsOf.all(m.id) as Array<{ kind: string; key: string }>).map((c) => ({
            kind: c.kind,
            masked: maskCredential(c.kind, c.key, m.idMasked),
          })),
        })),
        recentEntries: listEntries(d.db, { householdId: h.id }, 20).map((e) =>
          maskEntry(present.entry(e), masked),
        ),
        alerts: listAlerts(d.db, { householdId: h.id }, 20).map(present.alert),
        faceRefusals: (refusalsOf.all({ h: h.id }) as RefusalRow[]).map((x) => {
          const doorId = d.config.readers.find((r) => r.id === x.readerId)?.door ?? null;
          return {
            ...x,
            doorId,
            doorName: doorId ? present.doorName(doorId) : null,
            label: label('libraryRefusal', x.code),
            since: new Date(x.since).toISOString(),
            at: new Date(x.at).toISOString(),
          };
        }),
        // The ledger's side of the file (issue 4): passes (current and past), cases, patrols.
        passes: d.passes.list({ householdId: h.id }, 20).map((p) => passView(p, masked)),
        cases: listCases(d.db, { householdId: h.id }, 20).map((c) => ({
          ...caseView(c),
          summary: masked ? maskText(c.summary, names) : c.summary,
          evidence: evidenceFor(c.evidence, masked, names, req.principal?.role === 'admin'),
        })),
        patrols: (patrolsOf.all(h.id) as PatrolRow[]).map((p) => ({
          ...p,
          note: masked ? maskNullable(p.note, names) : p.note,
          createdAt: new Date(p.createdAt).toISOString(),
          photos: d.workflow.evidence.of('patrol', p.id).map(evidenceLink),
        })),
        // Faces learnt as members' card holders, offered for enrolment (issue 10).
        faceOffers: d.faces
          .forHousehold(h.id)
          .map((o) => faceOfferView(o, (rid) => members.find((m) => m.id === rid)?.name)),
      };
    },
  );
};
