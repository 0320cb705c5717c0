import type { RouteModule } from '../context.js';
import * as A from '../schemas-accounts.js';

/** The audit log (operator and admin): who logged in, viewed which household file, changed what. */
export const auditRoutes: RouteModule = (app, w) => {
  app.get(
    '/api/audit',
    {
      preValidation: w.auth.require('operator'),
      schema: { querystring: A.AuditQuery, response: { 200: A.AuditReply } },
    },
    async (req) => {
      const q = req.query;
      const rows = w.accounts.audit.list(
        { actor: q.actor, action: q.action, householdId: q.household, caseId: q.case, before: q.before },
        q.limit,
      );
      return {
        items: rows.map(({ ts, ...r }) => ({ ...r, time: new Date(ts).toISOString() })),
        next: rows.length === q.limit ? (rows.at(-1)?.seq ?? null) : null,
      };
    },
  );
};
