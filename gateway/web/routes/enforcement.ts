import type { RouteModule } from '../context.js';
import * as L from '../ledger-schemas.js';
import * as S from '../schemas.js';
import * as W from '../schemas-workflow.js';
import { answerRefusal } from '../workflow-errors.js';
import { caseDetail } from './cases.js';

/**
 * The enforcement office's feedback on a handed-over case (issue 16), from the dashboard or
 * with an API token of the operator role (the district's system): recorded, and the case
 * closes with the result. The same feedback sent twice answers the case unchanged.
 */
export const enforcementRoutes: RouteModule = (app, w) => {
  const { d, auth } = w;
  app.post(
    '/api/cases/:id/feedback',
    {
      preValidation: auth.require('operator'),
      schema: {
        params: S.IdParams,
        body: W.FeedbackBody,
        response: { 200: L.CaseDetail, 400: S.ErrorReply, 404: S.ErrorReply, 409: S.ErrorReply },
      },
    },
    async (req, reply) => {
      const b = req.body;
      try {
        const r = d.workflow.enforcement.feedback(
          req.params.id,
          b,
          { name: req.principal?.name ?? 'unknown' },
          d.clock.now(),
        );
        w.audit(req, {
          action: 'case.feedback',
          caseId: r.case.id,
          householdId: r.case.householdId,
          target: r.case.id,
          detail: { result: b.result, officeRef: b.officeRef, ...(r.repeated ? { repeated: true } : {}) },
        });
        return caseDetail(w, req, r.case);
      } catch (err) {
        return answerRefusal(w, req, reply, err, {
          action: 'case.feedback',
          target: req.params.id,
          caseId: req.params.id,
        });
      }
    },
  );
};
