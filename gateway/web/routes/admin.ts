import type { RouteModule } from '../context.js';
import { ConfigReply } from '../schemas-status.js';

/**
 * The running configuration, read-only (admin). It holds no secrets: passwords, keys and
 * tokens live in the secrets file, which is never served.
 */
export const adminRoutes: RouteModule = (app, w) => {
  app.get(
    '/api/config',
    {
      preValidation: w.auth.require('admin'),
      schema: { response: { 200: ConfigReply } },
    },
    async (req) => {
      w.audit(req, { action: 'config.view' });
      return { config: w.d.config, version: w.d.health().version };
    },
  );
};
