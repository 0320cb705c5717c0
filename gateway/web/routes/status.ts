import type { RouteModule } from '../context.js';
import * as S from '../schemas.js';
import { Health } from '../schemas-status.js';

/**
 * `/healthz` (for systemd, load balancers, the installer: public, no personal data) and
 * `/metrics` (Prometheus: needs an API token like the rest of the API; counts reveal the
 * estate's rhythm, so they are not public).
 */
export const statusRoutes: RouteModule = (app, { d }) => {
  app.get(
    '/healthz',
    { config: { public: true }, schema: { response: { 200: Health, 503: Health } } },
    async (_req, reply) => {
      const h = d.health();
      return reply.status(h.status === 'ok' ? 200 : 503).send(h);
    },
  );

  app.get('/metrics', { schema: { response: { 200: S.MetricsText } } }, async (_req, reply) => {
    reply.header('content-type', d.metrics.registry.contentType);
    return d.metrics.registry.metrics();
  });
};
