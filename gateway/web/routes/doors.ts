import type { FastifyRequest } from 'fastify';
import type { DoorView } from '../../doors/door-model.js';
import type { FireStatus } from '../../doors/fire-control.js';
import type { RouteModule } from '../context.js';
import { problem } from '../problem.js';
import * as S from '../schemas.js';
import * as D from '../schemas-doors.js';

/** Who is asking, as the audit log names them: a user, or `token:{name}` for an API token. */
function actorOf(req: FastifyRequest): string {
  const p = req.principal;
  return p ? (p.kind === 'token' ? `token:${p.name}` : p.name) : '(unknown)';
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** A door's state as the API and the live stream show it. */
export function doorStateView(v: DoorView, canUnlock: boolean) {
  return {
    ...v,
    canUnlock,
    changedAt: iso(v.changedAt),
    openedAt: iso(v.openedAt),
    lastSignal: v.lastSignal && { ...v.lastSignal, at: new Date(v.lastSignal.at).toISOString() },
  };
}

/** The fire all-open as the API and the live stream show it. */
export function fireStateView(f: FireStatus) {
  return {
    active: f.active,
    since: iso(f.since),
    inputs: f.inputs,
    declared: f.declared && { ...f.declared, since: new Date(f.declared.since).toISOString() },
  };
}

/**
 * The doors (issue 13): each door's live state for the devices page, remote unlock for
 * operators and the upstream's API token (a reason required, audited, limited, sent
 * upstream), and the fire all-open an admin declares or ends. Refusals are audited too.
 */
export const doorRoutes: RouteModule = (app, w) => {
  const { d, auth } = w;
  app.get('/api/doors/state', { schema: { response: { 200: D.DoorStatesReply } } }, async () => {
    const s = d.doors.state();
    return {
      fire: fireStateView(s.fire),
      items: s.doors.map((v) => doorStateView(v, d.doors.canOpen(v.id))),
    };
  });

  app.post(
    '/api/doors/:id/unlock',
    {
      preValidation: auth.require('operator'),
      schema: {
        params: S.IdParams,
        body: D.UnlockBody,
        response: {
          200: D.UnlockReply,
          400: S.ErrorReply,
          404: S.ErrorReply,
          409: S.ErrorReply,
          429: S.ErrorReply,
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const max = d.config.doorControl.remoteUnlock.maxDurationSeconds;
      if (b.durationSeconds !== undefined && b.durationSeconds > max) {
        d.metrics.badRequests.inc({ route: req.routeOptions.url ?? 'unknown', status: '400' });
        return reply.status(400).send(problem(400, `durationSeconds may be at most ${max}`));
      }
      const r = d.doors.remoteUnlock(
        {
          doorId: req.params.id,
          actor: actorOf(req),
          reason: b.reason.trim(),
          durationMs: b.durationSeconds === undefined ? undefined : b.durationSeconds * 1000,
        },
        (outcome, detail) => w.audit(req, { action: 'door.unlock', target: req.params.id, outcome, detail }),
      );
      if (r.ok)
        return { doorId: r.doorId, durationMs: r.durationMs, commandId: r.commandId, eventId: r.eventId };
      d.metrics.badRequests.inc({ route: req.routeOptions.url ?? 'unknown', status: String(r.status) });
      req.log.warn({ door: req.params.id, status: r.status, problem: r.message }, 'remote unlock refused');
      if (r.limited) reply.header('retry-after', String(r.limited.retryAfterSeconds));
      return reply.status(r.status).send(problem(r.status, r.message));
    },
  );

  app.post(
    '/api/fire',
    {
      preValidation: auth.require('admin'),
      schema: { body: D.FireBody, response: { 200: D.FireState, 400: S.ErrorReply, 409: S.ErrorReply } },
    },
    async (req, reply) => {
      const { active, reason } = req.body;
      const actor = actorOf(req);
      if (active) {
        w.audit(req, { action: 'fire.declare', detail: { reason: reason.trim() } });
        return fireStateView(d.doors.fire.declare(actor, reason.trim()));
      }
      const status = d.doors.fire.clear(actor);
      if (!status) {
        w.audit(req, { action: 'fire.clear', outcome: 'refused', detail: { reason: reason.trim() } });
        d.metrics.badRequests.inc({ route: '/api/fire', status: '409' });
        return reply
          .status(409)
          .send(
            problem(409, 'a fire alarm input is still on: the all-open ends when the fire panel clears it'),
          );
      }
      w.audit(req, { action: 'fire.clear', detail: { reason: reason.trim() } });
      return fireStateView(status);
    },
  );
};
