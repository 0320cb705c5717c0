import { listEntries } from '../../pipeline/journal.js';
import { getAlert, listAlerts } from '../../store/queries.js';
import type { RouteModule } from '../context.js';
import { maskEntry } from '../present.js';
import { problem } from '../problem.js';
import * as S from '../schemas.js';

/** The journal of entries and the alerts, newest first, paged by cursor. */
export const journalRoutes: RouteModule = (app, w) => {
  const { d, present } = w;
  app.get(
    '/api/events',
    { schema: { querystring: S.EventsQuery, response: { 200: S.EventsReply, 400: S.ErrorReply } } },
    async (req) => {
      const q = req.query;
      const masked = w.masked(req);
      const rows = listEntries(
        d.db,
        {
          since: q.since ? Date.parse(q.since) : undefined,
          until: q.until ? Date.parse(q.until) : undefined,
          readerId: q.reader,
          doorId: q.door,
          householdId: q.household,
          outcome: q.outcome,
          before: q.before,
        },
        q.limit,
      );
      return {
        items: rows.map((e) => maskEntry(present.entry(e), masked)),
        next: rows.length === q.limit ? (rows.at(-1)?.seq ?? null) : null,
      };
    },
  );

  app.get(
    '/api/alerts',
    { schema: { querystring: S.AlertsQuery, response: { 200: S.AlertsReply } } },
    async (req) => {
      const q = req.query;
      const rows = listAlerts(
        d.db,
        { state: q.state, kind: q.kind, householdId: q.household, beforeId: q.before },
        q.limit,
      );
      return {
        items: rows.map(present.alert),
        next: rows.length === q.limit ? (rows.at(-1)?.id ?? null) : null,
      };
    },
  );

  app.get(
    '/api/alerts/:id',
    { schema: { params: S.IdParams, response: { 200: S.Alert, 404: S.ErrorReply } } },
    async (req, reply) => {
      const a = getAlert(d.db, req.params.id);
      if (!a) return reply.status(404).send(problem(404, `no alert ${req.params.id}`));
      w.audit(req, { action: 'alert.view', target: a.id, householdId: a.householdId });
      return present.alert(a);
    },
  );
};
