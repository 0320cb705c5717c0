import type { Static } from '@sinclair/typebox';
import { newId } from '../../../core/ids.js';
import { getCase } from '../../ledger/case-queries.js';
import {
  defaultViolation,
  insertTarget,
  targetEvidence,
  targetOf,
  targetSummary,
} from '../../ledger/patrol-targets.js';
import { monthlyReport, reportCsv } from '../../ledger/report.js';
import { rejectInput } from '../bad-input.js';
import type { RouteModule } from '../context.js';
import * as L from '../ledger-schemas.js';
import { maskNullable } from '../mask-text.js';
import * as S from '../schemas.js';
import { answerRefusal } from '../workflow-errors.js';
import { evidenceLink } from '../workflow-views.js';

/**
 * Patrols (巡查) — of households, and of estate agencies and online listings (issue 16), with
 * uploaded photos — and the monthly report (月报) (issue 4). Tips are in tips.ts.
 */
export const patrolRoutes: RouteModule = (app, w) => {
  const { d, auth } = w;
  const buildingOf = d.db.prepare('SELECT building_id FROM households WHERE id = ?').pluck();
  const insPatrol = d.db.prepare(
    `INSERT INTO patrols(id, date, inspector, household_id, building_id, result, note, photo, case_id, created_by, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const patrolsOfHousehold = d.db.prepare(
    'SELECT * FROM patrols WHERE household_id = ? ORDER BY date DESC, created_at DESC LIMIT 200',
  );
  const patrolsOfMonth = d.db.prepare(
    'SELECT * FROM patrols WHERE date >= ? AND date < ? ORDER BY date DESC LIMIT 1000',
  );
  const namesOf = d.db.prepare('SELECT name FROM residents WHERE household_id = ?').pluck();
  const patrolsLatest = d.db.prepare('SELECT * FROM patrols ORDER BY date DESC, created_at DESC LIMIT 200');
  /** The building of the household a patrol names: undefined if none is named, null if it does not exist. */
  const placeOf = (householdId: string | undefined): string | null | undefined =>
    householdId ? ((buildingOf.get(householdId) as string | undefined) ?? null) : undefined;

  app.post(
    '/api/patrols',
    {
      preValidation: auth.require('operator'),
      schema: { body: L.PatrolBody, response: { 201: L.Created, 400: S.ErrorReply } },
    },
    async (req, reply) => {
      const b = req.body;
      const now = d.clock.now();
      const actor = req.principal?.name ?? 'unknown';
      const target = b.target;
      const building = placeOf(b.householdId);
      if (building === null) return rejectInput(d.metrics, req, reply, 400, `no household ${b.householdId}`);
      if (b.caseId && !getCase(d.db, b.caseId))
        return rejectInput(d.metrics, req, reply, 400, `no case ${b.caseId}`);
      if (target && b.result === 'nobody_home')
        return rejectInput(
          d.metrics,
          req,
          reply,
          400,
          'an agency or listing patrol finds normal or violation_found',
        );
      if (!target && b.result === 'violation_found' && !b.householdId && !b.buildingId)
        return rejectInput(d.metrics, req, reply, 400, 'a violation needs the householdId or buildingId');
      const id = newId('pt', now);
      const photos = b.photos ?? [];
      let caseId = b.caseId ?? null;
      try {
        d.db.transaction(() => {
          if (b.result === 'violation_found' && !caseId) {
            caseId = d.cases.open(
              {
                kind: b.violation ?? (target ? defaultViolation(target) : 'suspected_sublet'),
                source: 'patrol',
                householdId: b.householdId ?? null,
                buildingId: building ?? b.buildingId ?? null,
                summary:
                  `${target ? targetSummary(target) : `巡查发现违规 (patrol ${b.date})`}: ${b.note ?? ''}`
                    .trim()
                    .replace(/:$/, ''),
                evidence: {
                  patrol: id,
                  date: b.date,
                  inspector: b.inspector,
                  ...(target ? targetEvidence(target) : {}),
                  note: b.note ?? null,
                  ...(b.photo ? { photo: b.photo } : {}),
                  ...(photos.length ? { photos } : {}),
                },
                ts: now,
              },
              { name: actor },
              now,
            ).id;
          }
          insPatrol.run(
            id,
            b.date,
            b.inspector,
            b.householdId ?? null,
            building ?? b.buildingId ?? null,
            b.result,
            b.note ?? null,
            b.photo ?? null,
            caseId,
            actor,
            now,
          );
          if (target) insertTarget(d.db, id, target);
          d.workflow.evidence.attach(photos, { kind: 'patrol', id, caseId }, actor, ['photo'], now);
        })();
      } catch (err) {
        return answerRefusal(w, req, reply, err, {
          action: 'patrol.create',
          householdId: b.householdId ?? null,
        });
      }
      w.audit(req, {
        action: 'patrol.create',
        householdId: b.householdId ?? null,
        caseId,
        target: id,
        detail: {
          result: b.result,
          date: b.date,
          ...(target ? { target: target.kind } : {}),
          ...(photos.length ? { photos: photos.length } : {}),
          ...(caseId && !b.caseId ? { openedCase: true } : {}),
        },
      });
      return reply.status(201).send({ id, caseId });
    },
  );

  app.get(
    '/api/patrols',
    {
      schema: {
        querystring: L.PatrolsQuery,
        response: { 200: L.PatrolsReply },
      },
    },
    async (req) => {
      const m = req.query.month;
      const hh = req.query.household;
      const rows = (
        hh ? patrolsOfHousehold.all(hh) : m ? patrolsOfMonth.all(`${m}-01`, `${m}-32`) : patrolsLatest.all()
      ) as Array<Omit<Static<typeof L.PatrolRow>, 'target' | 'photos'>>;
      const items = rows.map((r) => ({
        ...r,
        target: targetOf(d.db, r.id),
        photos: d.workflow.evidence.of('patrol', r.id).map(evidenceLink),
      }));
      const want = req.query.target;
      const chosen = want ? items.filter((p) => (p.target?.kind ?? 'household') === want) : items;
      if (!w.masked(req)) return { items: chosen };
      // Viewers read notes masked: ID numbers, phones, the household's members' names (issue 9).
      const names = new Map<string, string[]>();
      const namesFor = (h: string | null) => {
        if (!h) return [];
        if (!names.has(h)) names.set(h, namesOf.all(h) as string[]);
        return names.get(h) ?? [];
      };
      return { items: chosen.map((r) => ({ ...r, note: maskNullable(r.note, namesFor(r.household_id)) })) };
    },
  );

  app.get(
    '/api/reports/monthly',
    {
      schema: {
        querystring: L.MonthQuery,
        response: {
          200: {
            content: {
              'application/json': { schema: L.MonthlyReport },
              'text/csv': { schema: S.CsvText },
              'application/pdf': { schema: S.PdfBytes },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const r = monthlyReport(d.db, req.query.month, d.config.estate);
      if (req.query.format === 'pdf') {
        w.audit(req, {
          action: 'report.export',
          target: `monthly:${req.query.month}`,
          detail: { format: 'pdf' },
        });
        const names = new Map(
          (d.db.prepare('SELECT id, name FROM buildings').all() as Array<{ id: string; name: string }>).map(
            (b) => [b.id, b.name],
          ),
        );
        // pdfkit and fontkit load at the first report, not at start (issue 15: RSS).
        const { monthlyReportPdf } = await import('../../ledger/report-pdf.js');
        const { pdf, missingGlyphs } = await monthlyReportPdf(r, {
          buildingName: (id) => names.get(id) ?? id,
          gatewayId: d.config.gateway.id,
          now: d.clock.now(),
          fallbackFont: d.config.reports.pdfFont,
        });
        if (missingGlyphs > 0)
          req.log.warn(
            { month: req.query.month, missingGlyphs },
            'monthly report PDF: characters no font has (set reports.pdfFont)',
          );
        reply.header('content-type', 'application/pdf');
        reply.header('content-disposition', `attachment; filename="monthly-${req.query.month}.pdf"`);
        return reply.send(pdf);
      }
      const csv = req.query.format === 'csv';
      w.audit(req, { action: csv ? 'report.export' : 'report.view', target: `monthly:${req.query.month}` });
      if (csv) {
        reply.header('content-type', 'text/csv; charset=utf-8');
        reply.header('content-disposition', `attachment; filename="monthly-${req.query.month}.csv"`);
        // A byte-order mark: Excel on a Chinese Windows PC reads a CSV without one as GBK.
        return reply.send(`\uFEFF${reportCsv(r)}`);
      }
      return r;
    },
  );
};
