import type { FastifyRequest } from 'fastify';
import { label } from '../../../core/codes.js';
import { maskName } from '../../../core/id-number.js';
import { iso } from '../../../core/time.js';
import {
  type CampaignHousehold,
  campaignHouseholds,
  campaignProgress,
  householdVisits,
} from '../../ledger/campaign-queries.js';
import { campaignReport, campaignReportCsv } from '../../ledger/campaign-report.js';
import type { Campaign } from '../../ledger/campaigns.js';
import { caseKindLabel } from '../../ledger/case-queries.js';
import { rejectInput } from '../bad-input.js';
import type { RouteModule } from '../context.js';
import * as S from '../schemas.js';
import * as C from '../schemas-campaigns.js';
import { answerRefusal } from '../workflow-errors.js';
import { evidenceLink } from '../workflow-views.js';

/**
 * The full inspection (全面排查, issue 16): admins open and close campaigns and send the
 * written report upstream; operators record visits (the phone page); everyone sees progress,
 * the households (flagged first) and the report. Viewers see residents' names masked.
 */
export const campaignRoutes: RouteModule = (app, w) => {
  const { d, auth } = w;
  const wf = d.workflow;
  const actor = (req: FastifyRequest) => ({ name: req.principal?.name ?? 'unknown' });
  const counts = d.db.prepare(
    `SELECT count(*) AS households, sum(status IN ('normal','violation_found')) AS reached
       FROM campaign_households WHERE campaign_id = ?`,
  );
  const view = (c: Campaign) => {
    const n = counts.get(c.id) as { households: number; reached: number | null };
    return {
      ...c,
      stateLabel: label('campaignState', c.state),
      createdAt: new Date(c.createdAt).toISOString(),
      closedAt: iso(c.closedAt),
      reportedAt: iso(c.reportedAt),
      households: n.households,
      reached: n.reached ?? 0,
    };
  };
  const household = (h: CampaignHousehold) => ({
    ...h,
    statusLabel: label('campaignStatus', h.status),
    lastVisit: iso(h.lastVisitAt),
  });
  const found = (id: string) => wf.campaigns.get(id);

  app.get('/api/campaigns', { schema: { response: { 200: C.CampaignsReply } } }, async () => ({
    items: wf.campaigns.list().map(view),
  }));

  app.post(
    '/api/campaigns',
    {
      preValidation: auth.require('admin'),
      schema: { body: C.CampaignBody, response: { 201: C.Campaign, 400: S.ErrorReply } },
    },
    async (req, reply) => {
      try {
        const c = wf.campaigns.open(req.body, actor(req), d.clock.now());
        w.audit(req, {
          action: 'campaign.create',
          target: c.id,
          detail: { from: c.from, to: c.to, buildings: c.buildings?.length ?? 'all' },
        });
        return reply.status(201).send(view(c));
      } catch (err) {
        return answerRefusal(w, req, reply, err, { action: 'campaign.create' });
      }
    },
  );

  app.get(
    '/api/campaigns/:id',
    { schema: { params: S.IdParams, response: { 200: C.CampaignDetail, 404: S.ErrorReply } } },
    async (req, reply) => {
      const c = found(req.params.id);
      if (!c) return rejectInput(d.metrics, req, reply, 404, `no campaign ${req.params.id}`);
      const p = campaignProgress(d.db, c.id);
      return {
        ...view(c),
        byStatus: p.byStatus,
        byBuilding: p.byBuilding,
        byInspector: p.byInspector.map((i) => ({
          ...i,
          reached: i.reached ?? 0,
          violations: i.violations ?? 0,
        })),
      };
    },
  );

  app.get(
    '/api/campaigns/:id/households',
    {
      schema: {
        params: S.IdParams,
        querystring: C.CampaignHouseholdsQuery,
        response: { 200: C.CampaignHouseholdsReply, 404: S.ErrorReply },
      },
    },
    async (req, reply) => {
      if (!found(req.params.id))
        return rejectInput(d.metrics, req, reply, 404, `no campaign ${req.params.id}`);
      const q = req.query;
      const items = campaignHouseholds(d.db, req.params.id, q, q.limit);
      return { items: items.map(household) };
    },
  );

  const residentsOf = d.db.prepare(
    `SELECT id, role, name, status, id_masked AS idMasked FROM residents WHERE household_id = ?
      ORDER BY role DESC, id`,
  );
  const openCasesOf = d.db.prepare(
    "SELECT id, kind, state FROM cases WHERE household_id = ? AND state != 'closed' ORDER BY id DESC LIMIT 20",
  );
  app.get(
    '/api/campaigns/:id/households/:household',
    {
      schema: {
        params: C.HouseholdParams,
        response: { 200: C.CampaignHouseholdDetail, 404: S.ErrorReply },
      },
    },
    async (req, reply) => {
      const { id, household: hid } = req.params;
      if (!found(id)) return rejectInput(d.metrics, req, reply, 404, `no campaign ${id}`);
      const h = campaignHouseholds(d.db, id, { householdId: hid }, 1)[0];
      if (!h) return rejectInput(d.metrics, req, reply, 404, `household ${hid} is not in campaign ${id}`);
      const masked = w.masked(req);
      // What the inspector at the door reads is a household file: audited like one.
      w.audit(req, { action: 'household.view', householdId: hid, target: id });
      const name = (n: string | null) => (n && masked ? maskName(n) : n);
      return {
        household: household(h),
        residents: (residentsOf.all(hid) as Array<{ name: string }>).map((r) => ({
          ...r,
          name: name(r.name) as string,
        })) as Array<{ id: string; role: string; name: string; status: string; idMasked: string | null }>,
        openCases: (openCasesOf.all(hid) as Array<{ id: string; kind: string; state: string }>).map((c) => ({
          ...c,
          label: caseKindLabel(c.kind),
        })),
        visits: householdVisits(d.db, id, hid).map((v) => ({
          ...v,
          visitedAt: new Date(v.visitedAt).toISOString(),
          resultLabel: label('visitResult', v.result),
          persons: v.persons.map((p) => ({ ...p, name: name(p.name) })),
          photos: wf.evidence.of('visit', v.id).map(evidenceLink),
        })),
      };
    },
  );

  app.post(
    '/api/campaigns/:id/visits',
    {
      preValidation: auth.require('operator'),
      schema: {
        params: S.IdParams,
        body: C.VisitBody,
        response: { 201: C.VisitReply, 400: S.ErrorReply, 404: S.ErrorReply, 409: S.ErrorReply },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const who = actor(req);
      try {
        const r = wf.visits.record(
          req.params.id,
          {
            ...b,
            visitedAt: b.visitedAt ? Date.parse(b.visitedAt) : undefined,
            inspector: b.inspector?.trim() || who.name,
            photos: b.photos ?? [],
          },
          who,
          d.clock.now(),
        );
        w.audit(req, {
          action: 'campaign.visit',
          householdId: b.householdId,
          caseId: r.caseId,
          target: r.id,
          detail: {
            campaign: req.params.id,
            result: b.result,
            persons: b.persons.length,
            unregistered: b.unregistered.length,
            ...(r.openedCase ? { openedCase: true } : {}),
          },
        });
        return reply.status(201).send(r);
      } catch (err) {
        return answerRefusal(w, req, reply, err, {
          action: 'campaign.visit',
          householdId: b.householdId,
          target: req.params.id,
        });
      }
    },
  );

  app.post(
    '/api/campaigns/:id/close',
    {
      preValidation: auth.require('admin'),
      schema: { params: S.IdParams, response: { 200: C.Campaign, 404: S.ErrorReply, 409: S.ErrorReply } },
    },
    async (req, reply) => {
      try {
        const c = wf.campaigns.close(req.params.id, actor(req), d.clock.now());
        w.audit(req, { action: 'campaign.close', target: c.id });
        return view(c);
      } catch (err) {
        return answerRefusal(w, req, reply, err, { action: 'campaign.close', target: req.params.id });
      }
    },
  );

  app.get(
    '/api/campaigns/:id/report',
    {
      schema: {
        params: S.IdParams,
        querystring: C.ReportQuery,
        response: {
          200: {
            content: {
              'application/json': { schema: C.CampaignReport },
              'text/csv': { schema: S.CsvText },
              'application/pdf': { schema: S.PdfBytes },
            },
          },
          404: S.ErrorReply,
        },
      },
    },
    async (req, reply) => {
      const c = found(req.params.id);
      if (!c) return rejectInput(d.metrics, req, reply, 404, `no campaign ${req.params.id}`);
      const r = campaignReport(d.db, c, d.config.estate, d.clock.now());
      if (req.query.format === 'pdf') {
        w.audit(req, { action: 'report.export', target: `campaign:${c.id}`, detail: { format: 'pdf' } });
        // pdfkit and fontkit load at the first report, not at start (issue 15: RSS).
        const { campaignReportPdf } = await import('../../ledger/campaign-report-pdf.js');
        const { pdf, missingGlyphs } = await campaignReportPdf(r, {
          gatewayId: d.config.gateway.id,
          now: d.clock.now(),
          fallbackFont: d.config.reports.pdfFont,
        });
        if (missingGlyphs > 0)
          req.log.warn(
            { campaign: c.id, missingGlyphs },
            'campaign report PDF: characters no font has (set reports.pdfFont)',
          );
        reply.header('content-type', 'application/pdf');
        reply.header('content-disposition', `attachment; filename="campaign-${c.id}.pdf"`);
        return reply.send(pdf);
      }
      const csv = req.query.format === 'csv';
      w.audit(req, { action: csv ? 'report.export' : 'report.view', target: `campaign:${c.id}` });
      if (csv) {
        reply.header('content-type', 'text/csv; charset=utf-8');
        reply.header('content-disposition', `attachment; filename="campaign-${c.id}.csv"`);
        return reply.send(`\uFEFF${campaignReportCsv(r)}`);
      }
      return r;
    },
  );

  app.post(
    '/api/campaigns/:id/report',
    {
      preValidation: auth.require('admin'),
      schema: { params: S.IdParams, response: { 201: C.ReportSent, 404: S.ErrorReply } },
    },
    async (req, reply) => {
      const c = found(req.params.id);
      if (!c) return rejectInput(d.metrics, req, reply, 404, `no campaign ${req.params.id}`);
      const now = d.clock.now();
      const report = campaignReport(d.db, c, d.config.estate, now);
      const sent = wf.sendReport(c, report, now);
      w.audit(req, { action: 'campaign.report', target: c.id, detail: sent });
      return reply.status(201).send({ ...sent, report });
    },
  );
};
