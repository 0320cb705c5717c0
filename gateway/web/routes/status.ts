import type { FastifyRequest } from 'fastify';
import type { HealthView, RouteModule, Web } from '../context.js';
import * as S from '../schemas.js';
import { Health } from '../schemas-status.js';

/**
 * What /healthz tells whom — the one place of the public/private split (issue 9 item 9):
 * anyone gets the status (systemd, a load balancer, a monitor), a caller with an API token
 * or a dashboard session gets the whole view (ids, version, roster size, the upstream's
 * last error), which says much about the estate to a stranger on the LAN.
 */
function healthFor(w: Web, req: FastifyRequest, h: HealthView): HealthView | Pick<HealthView, 'status'> {
  req.principal ??= w.auth.authenticate(req);
  return req.principal ? h : { status: h.status };
}

/**
 * `/healthz` (public: status only; details with a token or session) and `/metrics`
 * (Prometheus: needs an API token like the rest of the API; counts reveal the estate's
 * rhythm, so they are not public).
 */
export const statusRoutes: RouteModule = (app, w) => {
  const { d } = w;
  app.get(
    '/healthz',
    { config: { public: true }, schema: { response: { 200: Health, 503: Health } } },
    async (req, reply) => {
      const h = d.health();
      return reply.status(h.status === 'ok' ? 200 : 503).send(healthFor(w, req, h));
    },
  );

  app.get('/metrics', { schema: { response: { 200: S.MetricsText } } }, async (_req, reply) => {
    reply.header('content-type', d.metrics.registry.contentType);
    return d.metrics.registry.metrics();
  });
};
