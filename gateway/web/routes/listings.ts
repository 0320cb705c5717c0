import { GatewayError } from '../../../core/errors.js';
import { getCase } from '../../ledger/case-queries.js';
import { suggestHouseholds } from '../../ledger/listing-match.js';
import { targetOf } from '../../ledger/patrol-targets.js';
import { rejectInput } from '../bad-input.js';
import type { RouteModule } from '../context.js';
import * as S from '../schemas.js';
import * as W from '../schemas-workflow.js';
import { answerRefusal } from '../workflow-errors.js';

/**
 * Online listings and agencies tied to households (issue 16): the gateway suggests the
 * households a listing's words may be about; the operator picks one, for the patrol and the
 * case it opened (which gets the household when it had none).
 */
export const listingRoutes: RouteModule = (app, w) => {
  const { d, auth } = w;

  app.get(
    '/api/patrols/suggestions',
    {
      preValidation: auth.require('operator'),
      schema: { querystring: W.SuggestQuery, response: { 200: W.SuggestReply } },
    },
    async (req) => ({ items: suggestHouseholds(d.db, req.query.text, req.query.limit) }),
  );

  const patrolOf = d.db.prepare(
    'SELECT id, household_id AS householdId, case_id AS caseId FROM patrols WHERE id = ?',
  );
  const householdOf = d.db.prepare('SELECT building_id FROM households WHERE id = ?').pluck();
  app.post(
    '/api/patrols/:id/household',
    {
      preValidation: auth.require('operator'),
      schema: {
        params: S.IdParams,
        body: W.LinkBody,
        response: { 200: W.LinkReply, 400: S.ErrorReply, 404: S.ErrorReply, 409: S.ErrorReply },
      },
    },
    async (req, reply) => {
      const hid = req.body.householdId;
      const p = patrolOf.get(req.params.id) as
        | { id: string; householdId: string | null; caseId: string | null }
        | undefined;
      if (!p) return rejectInput(d.metrics, req, reply, 404, `no patrol ${req.params.id}`);
      const building = householdOf.get(hid) as string | undefined;
      const audit = { action: 'patrol.link', target: p.id, householdId: hid, caseId: p.caseId };
      try {
        if (!building) throw new GatewayError('BAD_LINK', `no household ${hid}`);
        if (!targetOf(d.db, p.id))
          throw new GatewayError('BAD_LINK', 'only an agency or listing patrol is tied to a household');
        if (p.householdId && p.householdId !== hid)
          throw new GatewayError('LINKED', `patrol ${p.id} is already tied to household ${p.householdId}`);
        const c = p.caseId ? getCase(d.db, p.caseId) : undefined;
        if (c?.householdId && c.householdId !== hid)
          throw new GatewayError('LINKED', `case ${c.id} is already about household ${c.householdId}`);
        d.db.transaction(() => {
          d.db
            .prepare('UPDATE patrols SET household_id = ?, building_id = ? WHERE id = ?')
            .run(hid, building, p.id);
          if (c && !c.householdId)
            d.db
              .prepare('UPDATE cases SET household_id = ?, building_id = ?, updated_at = ? WHERE id = ?')
              .run(hid, building, d.clock.now(), c.id);
        })();
      } catch (err) {
        if (err instanceof GatewayError && err.code === 'LINKED') {
          w.audit(req, { ...audit, outcome: 'refused', detail: { code: err.code, status: 409 } });
          return rejectInput(d.metrics, req, reply, 409, err.message);
        }
        return answerRefusal(w, req, reply, err, audit);
      }
      w.audit(req, audit);
      return { id: p.id, householdId: hid, caseId: p.caseId };
    },
  );
};
