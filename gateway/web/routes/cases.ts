import { ALERT_KINDS, type AlertKind } from '../../alerts/kinds.js';
import { hasCode } from '../../errors.js';
import { type CaseRow, caseTimeline, getCase, listCases } from '../../ledger/case-queries.js';
import { buildHandover } from '../../ledger/handover.js';
import { CASE_STATE_LABELS, TRANSITIONS } from '../../ledger/states.js';
import { rejectInput } from '../bad-input.js';
import type { RouteModule } from '../context.js';
import * as L from '../ledger-schemas.js';
import * as S from '../schemas.js';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** A case as the API shows it: labels in Chinese, ISO times, the evidence chain (references). */
export function caseView(c: CaseRow) {
  return {
    id: c.id,
    kind: c.kind,
    label: ALERT_KINDS[c.kind as AlertKind]?.label ?? '其他违规',
    source: c.source,
    state: c.state,
    stateLabel: CASE_STATE_LABELS[c.state],
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

/** The ledger (台账): cases with their timeline, each move, and the hand-over package (issue 4). */
export const caseRoutes: RouteModule = (app, { d, auth }) => {
  const detail = (c: CaseRow) => ({
    ...caseView(c),
    timeline: caseTimeline(d.db, c.id).map((e) => ({
      state: e.state,
      stateLabel: CASE_STATE_LABELS[e.state],
      prev: e.prev,
      actor: e.actor,
      at: new Date(e.at).toISOString(),
      note: e.note,
      deadline: iso(e.deadline),
    })),
    allowed: [...TRANSITIONS[c.state]],
  });

  app.get('/api/cases', { schema: { querystring: L.CasesQuery, response: { 200: CASES } } }, async (req) => {
    const q = req.query;
    const rows = listCases(
      d.db,
      { state: q.state, kind: q.kind, householdId: q.household, buildingId: q.building, before: q.before },
      q.limit,
    );
    return { items: rows.map(caseView), next: rows.length === q.limit ? (rows.at(-1)?.id ?? null) : null };
  });

  app.get(
    '/api/cases/:id',
    { schema: { params: S.IdParams, response: { 200: L.CaseDetail, 404: S.ErrorReply } } },
    async (req, reply) => {
      const c = getCase(d.db, req.params.id);
      if (!c) return rejectInput(d.metrics, req, reply, 404, `no case ${req.params.id}`);
      return detail(c);
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
              dataDir: d.dataDir,
              images: d.config.ledger.handoverImages,
              now,
            });
            d.db.prepare('UPDATE cases SET handover = ? WHERE id = ?').run(JSON.stringify(pkg), after.id);
          },
        );
        return detail(c);
      } catch (err) {
        if (hasCode(err, 'NOT_FOUND')) return rejectInput(d.metrics, req, reply, 404, (err as Error).message);
        if (hasCode(err, 'BAD_TRANSITION')) {
          const msg = (err as Error).message;
          return rejectInput(d.metrics, req, reply, /deadline/.test(msg) ? 400 : 409, msg);
        }
        throw err;
      }
    },
  );

  app.get('/api/cases/:id/handover', { schema: { params: S.IdParams } }, async (req, reply) => {
    const row = d.db.prepare('SELECT handover FROM cases WHERE id = ?').get(req.params.id) as
      | { handover: string | null }
      | undefined;
    if (!row) return rejectInput(d.metrics, req, reply, 404, `no case ${req.params.id}`);
    if (!row.handover)
      return rejectInput(
        d.metrics,
        req,
        reply,
        409,
        'the case has not been handed over (move it to handed_over first)',
      );
    reply.header('content-type', 'application/json; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="handover-${req.params.id}.json"`);
    return reply.send(row.handover);
  });
};

import { Type as T } from '@sinclair/typebox';

const CASES = T.Object({ items: T.Array(L.Case), next: T.Union([T.String(), T.Null()]) });
