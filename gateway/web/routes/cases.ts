import type { FastifyRequest } from 'fastify';
import { CASE_STATES, label } from '../../../core/codes.js';
import { hasCode } from '../../../core/errors.js';
import { maskName } from '../../../core/id-number.js';
import { type CaseRow, caseKindLabel, caseTimeline, getCase, listCases } from '../../ledger/case-queries.js';
import type { EvidenceFile } from '../../ledger/evidence-files.js';
import { buildHandover, refsOnly, withImages } from '../../ledger/handover.js';
import { TRANSITIONS } from '../../ledger/states.js';
import { rejectInput } from '../bad-input.js';
import type { RouteModule, Web } from '../context.js';
import * as L from '../ledger-schemas.js';
import { maskNullable, maskText } from '../mask-text.js';
import * as S from '../schemas.js';
import { enforcementView, evidenceLink } from '../workflow-views.js';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** What a viewer sees of a tip's words: nothing (举报人保密 — a tip may name the tipster). */
export const TIP_HIDDEN = '（举报内容仅操作员可见 — visible to operators only）';

/**
 * The evidence chain as the caller may see it: a tip's content is for operators only, and
 * only admins read the phone and ID numbers a tipster wrote into it (the tipster's contact
 * is theirs alone); a patrol's note is masked for viewers (ID numbers, phones, the
 * household's names: issue 9); everything else in a chain is already ids, counts, masked
 * credentials and references.
 */
export function evidenceFor(
  evidence: Record<string, unknown>,
  masked: boolean,
  names: readonly string[] = [],
  admin = false,
): Record<string, unknown> {
  if (!masked) {
    if (admin || typeof evidence.tip !== 'string' || typeof evidence.content !== 'string') return evidence;
    return { ...evidence, content: maskText(evidence.content) };
  }
  const out = { ...evidence };
  if (typeof out.tip === 'string' && 'content' in out) out.content = TIP_HIDDEN;
  if (typeof out.note === 'string') out.note = maskText(out.note, names);
  return out;
}

/** A case as the API shows it: labels in Chinese, ISO times, the evidence chain (references). */
export function caseView(c: CaseRow) {
  return {
    id: c.id,
    kind: c.kind,
    label: caseKindLabel(c.kind),
    source: c.source,
    state: c.state,
    stateLabel: label('caseState', c.state),
    householdId: c.householdId,
    buildingId: c.buildingId,
    alertId: c.alertId,
    patternTime: iso(c.patternTs),
    detectedTime: new Date(c.detectedTs).toISOString(),
    lastTime: new Date(c.lastTs).toISOString(),
    deadline: iso(c.deadline),
    summary: c.summary,
    evidence: c.evidence,
  };
}

/** The names a viewer must not read in a case's free text: its household's members (issue 9). */
function namesOf(w: Web, c: CaseRow): string[] {
  return c.householdId
    ? (w.d.db
        .prepare('SELECT name FROM residents WHERE household_id = ?')
        .pluck()
        .all(c.householdId) as string[])
    : [];
}

/** The case with where it is (building name, room) and what the caller may see of its evidence and words. */
function caseListView(w: Web, req: FastifyRequest, c: CaseRow) {
  const db = w.d.db;
  const masked = w.masked(req);
  const who = masked ? namesOf(w, c) : [];
  const place = c.householdId
    ? (db
        .prepare(
          `SELECT b.name AS buildingName, h.room FROM households h LEFT JOIN buildings b ON b.id = h.building_id
            WHERE h.id = ?`,
        )
        .get(c.householdId) as { buildingName: string | null; room: string } | undefined)
    : undefined;
  return {
    ...caseView(c),
    summary: masked ? maskText(c.summary, who) : c.summary,
    evidence: evidenceFor(c.evidence, masked, who, req.principal?.role === 'admin'),
    buildingName:
      place?.buildingName ??
      (c.buildingId
        ? ((db.prepare('SELECT name FROM buildings WHERE id = ?').pluck().get(c.buildingId) as string) ??
          null)
        : null),
    room: place?.room ?? null,
  };
}

/**
 * One case as its page shows it: where it is, its evidence, its timeline, the moves its
 * state allows, where it was handed and what came back, its uploaded files (issue 16).
 */
export function caseDetail(w: Web, req: FastifyRequest, c: CaseRow) {
  const wf = w.d.workflow;
  // Viewers read timeline notes masked: ID numbers, phones, the household's names (issue 9).
  const who = w.masked(req) ? namesOf(w, c) : null;
  return {
    ...caseListView(w, req, c),
    timeline: caseTimeline(w.d.db, c.id).map((e) => ({
      state: e.state,
      stateLabel: label('caseState', e.state),
      prev: e.prev,
      actor: e.actor,
      at: new Date(e.at).toISOString(),
      note: who ? maskNullable(e.note, who) : e.note,
      deadline: iso(e.deadline),
    })),
    allowed: [...TRANSITIONS[c.state]],
    enforcement: enforcementView(wf, c.id),
    files: (
      w.d.db
        .prepare('SELECT id, kind, ext FROM evidence_files WHERE case_id = ? ORDER BY id')
        .all(c.id) as Array<Pick<EvidenceFile, 'id' | 'kind' | 'ext'>>
    ).map(evidenceLink),
  };
}

/** The ledger (台账): cases with their timeline, each move, and the hand-over package (issue 4). */
export const caseRoutes: RouteModule = (app, w) => {
  const { d, auth } = w;
  const view = (req: FastifyRequest, c: CaseRow) => caseListView(w, req, c);
  const detail = (req: FastifyRequest, c: CaseRow) => caseDetail(w, req, c);

  app.get(
    '/api/cases',
    { schema: { querystring: L.CasesQuery, response: { 200: L.CasesReply } } },
    async (req) => {
      const q = req.query;
      const rows = listCases(
        d.db,
        {
          state: q.state,
          kind: q.kind,
          householdId: q.household,
          buildingId: q.building,
          alertId: q.alert,
          before: q.before,
        },
        q.limit,
      );
      return {
        items: rows.map((c) => view(req, c)),
        next: rows.length === q.limit ? (rows.at(-1)?.id ?? null) : null,
      };
    },
  );

  // The desk's tabs: how many cases in each state, and which deadlines passed or are near.
  const byState = d.db.prepare('SELECT state, count(*) AS n FROM cases GROUP BY state');
  const deadlines = d.db.prepare(
    `SELECT sum(deadline < @now) AS past, sum(deadline >= @now AND deadline < @soon) AS soon
       FROM cases WHERE state = 'rectification_ordered'`,
  );
  const buildings = d.db.prepare('SELECT id, name FROM buildings ORDER BY id');
  app.get('/api/cases/stats', { schema: { response: { 200: L.CaseStats } } }, async () => {
    const now = d.clock.now();
    const counts = Object.fromEntries(CASE_STATES.map((s) => [s, 0])) as Record<string, number>;
    for (const r of byState.all() as Array<{ state: string; n: number }>) counts[r.state] = r.n;
    const dl = deadlines.get({ now, soon: now + DUE_SOON_MS }) as {
      past: number | null;
      soon: number | null;
    };
    return {
      byState: counts,
      pastDeadline: dl.past ?? 0,
      dueSoon: dl.soon ?? 0,
      dueSoonDays: DUE_SOON_MS / 86_400_000,
      buildings: buildings.all() as Array<{ id: string; name: string }>,
    };
  });

  app.get(
    '/api/cases/:id',
    { schema: { params: S.IdParams, response: { 200: L.CaseDetail, 404: S.ErrorReply } } },
    async (req, reply) => {
      const c = getCase(d.db, req.params.id);
      if (!c) return rejectInput(d.metrics, req, reply, 404, `no case ${req.params.id}`);
      w.audit(req, { action: 'case.view', caseId: c.id, householdId: c.householdId });
      return detail(req, c);
    },
  );

  app.post(
    '/api/cases/:id/transitions',
    {
      preValidation: auth.require('operator'),
      schema: {
        params: S.IdParams,
        body: L.TransitionBody,
        response: { 200: L.CaseDetail, 400: S.ErrorReply, 404: S.ErrorReply, 409: S.ErrorReply },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const now = d.clock.now();
      const from = getCase(d.db, req.params.id)?.state ?? null;
      if ((b.district || b.office) && b.to !== 'handed_over')
        return rejectInput(
          d.metrics,
          req,
          reply,
          400,
          'district and office go with a hand-over (to: handed_over) only',
        );
      try {
        const c = d.cases.transition(
          req.params.id,
          b.to,
          { name: req.principal?.name ?? 'unknown' },
          b.note,
          b.deadline === undefined ? undefined : Date.parse(b.deadline),
          now,
          (after) => {
            if (after.state !== 'handed_over') return;
            const pkg = buildHandover(d.db, after, {
              estate: d.config.estate,
              gatewayId: d.config.gateway.id,
              now,
            });
            d.db.prepare('UPDATE cases SET handover = ? WHERE id = ?').run(JSON.stringify(pkg), after.id);
            d.workflow.enforcement.handedOver(after.id, b.district ?? null, b.office ?? null, now);
          },
        );
        // The signed package is made now, off the request, so it can be announced upstream at
        // hand-over; a failure is logged and the first download makes it instead.
        if (c.state === 'handed_over')
          d.handover
            ?.ensure(c.id)
            .catch((err: unknown) => req.log.error({ err, caseId: c.id }, 'hand-over package failed'));
        // The note stays in the case's timeline; the audit row says who moved what, not why.
        w.audit(req, {
          action: 'case.transition',
          caseId: c.id,
          householdId: c.householdId,
          target: c.id,
          detail: {
            from,
            to: c.state,
            ...(b.deadline ? { deadline: b.deadline } : {}),
            ...(b.district ? { district: b.district } : {}),
          },
        });
        return detail(req, c);
      } catch (err) {
        const refused = (status: 400 | 404 | 409) => {
          w.audit(req, {
            action: 'case.transition',
            caseId: req.params.id,
            target: req.params.id,
            outcome: 'refused',
            detail: { to: b.to, status },
          });
          return rejectInput(d.metrics, req, reply, status, (err as Error).message);
        };
        if (hasCode(err, 'NOT_FOUND')) return refused(404);
        if (hasCode(err, 'BAD_TRANSITION'))
          return refused(/deadline/.test((err as Error).message) ? 400 : 409);
        throw err;
      }
    },
  );

  app.get(
    '/api/cases/:id/handover',
    {
      schema: {
        params: S.IdParams,
        response: { 200: L.HandoverPackage, 404: S.ErrorReply, 409: S.ErrorReply },
      },
    },
    async (req, reply) => {
      const row = d.db
        .prepare('SELECT handover, household_id AS h FROM cases WHERE id = ?')
        .get(req.params.id) as { handover: string | null; h: string | null } | undefined;
      if (!row) return rejectInput(d.metrics, req, reply, 404, `no case ${req.params.id}`);
      if (!row.handover)
        return rejectInput(
          d.metrics,
          req,
          reply,
          409,
          'the case has not been handed over (move it to handed_over first)',
        );
      const masked = w.masked(req);
      w.audit(req, {
        action: 'case.handover',
        caseId: req.params.id,
        householdId: row.h,
        target: req.params.id,
        detail: masked ? { masked } : null,
      });
      // Images are read now, through the one safe reader, never kept in the row (issue 9).
      const pkg = JSON.parse(row.handover) as HandoverJson;
      pkg.thumbnails = d.config.ledger.handoverImages ? await withImages(pkg, d.dataDir) : refsOnly(pkg);
      reply.header('content-type', 'application/json; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="handover-${req.params.id}.json"`);
      reply.header('cache-control', 'no-store');
      return reply.send(JSON.stringify(masked ? maskHandover(pkg) : pkg));
    },
  );
};

/** The signed hand-over archive (issue 14): operators and admins only, as signed (names unmasked). */
export const handoverArchiveRoute: RouteModule = (app, w) => {
  const { d, auth } = w;
  app.get(
    '/api/cases/:id/handover.zip',
    {
      preValidation: auth.require('operator'),
      schema: {
        params: S.IdParams,
        response: { 200: S.ZipBytes, 404: S.ErrorReply, 409: S.ErrorReply, 503: S.ErrorReply },
      },
    },
    async (req, reply) => {
      const c = getCase(d.db, req.params.id);
      if (!c) return rejectInput(d.metrics, req, reply, 404, `no case ${req.params.id}`);
      if (!d.handover)
        return reply
          .status(503)
          .send({ statusCode: 503, error: 'Service Unavailable', message: 'no hand-over packages here' });
      const pkg = await d.handover.ensure(c.id);
      if (!pkg)
        return rejectInput(
          d.metrics,
          req,
          reply,
          409,
          'the case has not been handed over (move it to handed_over first)',
        );
      w.audit(req, {
        action: 'case.handover',
        caseId: c.id,
        householdId: c.householdId,
        target: c.id,
        detail: { format: 'zip', packageId: pkg.packageId },
      });
      reply.header('content-type', 'application/zip');
      reply.header('content-disposition', `attachment; filename="handover-${pkg.packageId}.zip"`);
      return reply.send(pkg.archive);
    },
  );
};

/** How near a rectification deadline must be to be "due soon" on the desk. */
const DUE_SOON_MS = 3 * 86_400_000;

/** The stored hand-over package, as far as the download changes it. */
interface HandoverJson {
  members?: Array<{ name?: string }>;
  tips?: Array<{ content?: string }>;
  patrols?: Array<{ note?: string | null }>;
  timeline?: Array<{ note?: string | null }>;
  case?: { evidence?: Record<string, unknown>; summary?: string };
  thumbnails?: unknown;
}

/**
 * The hand-over package as a viewer may download it: members' names masked, tips' words
 * hidden, the summary, timeline and patrol notes masked (ID numbers, phones, members' names).
 */
function maskHandover(pkg: HandoverJson): HandoverJson {
  const names = (pkg.members ?? []).map((m) => m.name).filter((n): n is string => typeof n === 'string');
  for (const m of pkg.members ?? []) if (typeof m.name === 'string') m.name = maskName(m.name);
  for (const t of pkg.tips ?? []) if (typeof t.content === 'string') t.content = TIP_HIDDEN;
  for (const x of [...(pkg.patrols ?? []), ...(pkg.timeline ?? [])])
    if (typeof x.note === 'string') x.note = maskText(x.note, names);
  if (pkg.case) {
    if (pkg.case.evidence) pkg.case.evidence = evidenceFor(pkg.case.evidence, true, names);
    if (typeof pkg.case.summary === 'string') pkg.case.summary = maskText(pkg.case.summary, names);
  }
  return pkg;
}
