import type { Static } from '@sinclair/typebox';
import { newId } from '../../../core/ids.js';
import { getCase } from '../../ledger/case-queries.js';
import { monthlyReport, reportCsv } from '../../ledger/report.js';
import { monthlyReportPdf } from '../../ledger/report-pdf.js';
import { rejectInput } from '../bad-input.js';
import type { RouteModule } from '../context.js';
import * as L from '../ledger-schemas.js';
import * as S from '../schemas.js';

/** Patrols (巡查), tips and complaints (举报投诉) and the monthly report (月报) (issue 4). */
export const patrolRoutes: RouteModule = (app, w) => {
  const { d, auth } = w;
  const buildingOf = d.db.prepare('SELECT building_id FROM households WHERE id = ?').pluck();
  const insPatrol = d.db.prepare(
    `INSERT INTO patrols(id, date, inspector, household_id, building_id, result, note, photo, case_id, created_by, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insTip = d.db.prepare(
    `INSERT INTO tips(id, received_at, channel, household_id, building_id, kind, content, case_id, created_by, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const patrolsOfHousehold = d.db.prepare(
    'SELECT * FROM patrols WHERE household_id = ? ORDER BY date DESC, created_at DESC LIMIT 200',
  );
  const patrolsOfMonth = d.db.prepare(
    'SELECT * FROM patrols WHERE date >= ? AND date < ? ORDER BY date DESC LIMIT 1000',
  );
  const patrolsLatest = d.db.prepare('SELECT * FROM patrols ORDER BY date DESC, created_at DESC LIMIT 200');
  /** The building of the household a patrol or tip names: undefined if none is named, null if it does not exist. */
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
      const building = placeOf(b.householdId);
      if (building === null) return rejectInput(d.metrics, req, reply, 400, `no household ${b.householdId}`);
      if (b.caseId && !getCase(d.db, b.caseId))
        return rejectInput(d.metrics, req, reply, 400, `no case ${b.caseId}`);
      if (b.result === 'violation_found' && !b.householdId && !b.buildingId)
        return rejectInput(d.metrics, req, reply, 400, 'a violation needs the householdId or buildingId');
      const id = newId('pt', now);
      let caseId = b.caseId ?? null;
      d.db.transaction(() => {
        if (b.result === 'violation_found' && !caseId) {
          caseId = d.cases.open(
            {
              kind: b.violation ?? 'suspected_sublet',
              source: 'patrol',
              householdId: b.householdId ?? null,
              buildingId: building ?? b.buildingId ?? null,
              summary: `巡查发现违规 (patrol ${b.date}): ${b.note ?? ''}`.trim(),
              evidence: {
                patrol: id,
                date: b.date,
                inspector: b.inspector,
                note: b.note ?? null,
                photo: b.photo ?? null,
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
      })();
      w.audit(req, {
        action: 'patrol.create',
        householdId: b.householdId ?? null,
        caseId,
        target: id,
        detail: { result: b.result, date: b.date, ...(caseId && !b.caseId ? { openedCase: true } : {}) },
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
      const rows = hh
        ? patrolsOfHousehold.all(hh)
        : m
          ? patrolsOfMonth.all(`${m}-01`, `${m}-32`)
          : patrolsLatest.all();
      return { items: rows as Static<typeof L.PatrolRow>[] };
    },
  );

  app.post(
    '/api/tips',
    {
      preValidation: auth.require('operator'),
      schema: { body: L.TipBody, response: { 201: L.Created, 400: S.ErrorReply } },
    },
    async (req, reply) => {
      const b = req.body;
      const now = d.clock.now();
      const actor = req.principal?.name ?? 'unknown';
      const building = placeOf(b.householdId);
      if (building === null) return rejectInput(d.metrics, req, reply, 400, `no household ${b.householdId}`);
      if (!b.householdId && !b.buildingId)
        return rejectInput(
          d.metrics,
          req,
          reply,
          400,
          'a tip needs the householdId or buildingId it is about',
        );
      const receivedAt = b.receivedAt ? Date.parse(b.receivedAt) : now;
      const id = newId('tp', now);
      let caseId = '';
      d.db.transaction(() => {
        caseId = d.cases.open(
          {
            kind: b.kind ?? 'suspected_sublet',
            source: 'tip',
            householdId: b.householdId ?? null,
            buildingId: building ?? b.buildingId ?? null,
            summary: `举报投诉 (${b.channel})`,
            evidence: {
              tip: id,
              channel: b.channel,
              receivedAt: new Date(receivedAt).toISOString(),
              content: b.content,
            },
            ts: receivedAt,
          },
          { name: actor },
          now,
        ).id;
        insTip.run(
          id,
          receivedAt,
          b.channel,
          b.householdId ?? null,
          building ?? b.buildingId ?? null,
          b.kind ?? 'suspected_sublet',
          b.content,
          caseId,
          actor,
          now,
        );
      })();
      req.log.info({ tip: id, case: caseId }, 'tip recorded');
      w.audit(req, {
        action: 'tip.create',
        householdId: b.householdId ?? null,
        caseId,
        target: id,
        detail: { channel: b.channel, kind: b.kind ?? 'suspected_sublet' },
      });
      return reply.status(201).send({ id, caseId });
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
