import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteModule } from '../context.js';
import { problem } from '../problem.js';
import * as S from '../schemas.js';
import { defaultUiFiles, UiAssets } from '../ui-assets.js';

/** A file of the dashboard, not modified since the browser's copy (304), or not there (404). */
const FILE = { schema: { response: { 200: S.UiFile, 304: S.NoContent, 404: S.ErrorReply } } };

/**
 * The dashboard itself: the page shell (needs a session, else to /login), the login page
 * and the static modules, styles and chart library (public: code, no data). Pages are a
 * hash-routed single-page app over the JSON API, so a new page adds no route here.
 */
export const uiRoutes: RouteModule = (app, w) => {
  const assets = new UiAssets(defaultUiFiles());

  const send = (req: FastifyRequest, reply: FastifyReply, urlPath: string, cache: string) => {
    const a = assets.get(urlPath);
    if (!a) {
      req.log.error({ path: urlPath }, 'dashboard file missing: run npm run build');
      return reply.status(404).send(problem(404, `${urlPath} not found (is the dashboard built?)`));
    }
    reply.header('etag', a.etag).header('cache-control', cache).header('content-type', a.type);
    if (req.headers['if-none-match'] === a.etag) return reply.status(304).send();
    if (a.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding');
      return reply.send(a.gzip);
    }
    return reply.send(a.body);
  };

  app.get('/', { ...FILE, config: { public: true } }, async (req, reply) => {
    if (!w.auth.authenticate(req)) return reply.redirect('/login', 302);
    return send(req, reply, '/', 'no-store');
  });
  app.get('/login', { ...FILE, config: { public: true } }, async (req, reply) =>
    send(req, reply, '/login', 'no-store'),
  );
  app.get('/ui/*', { ...FILE, config: { public: true } }, async (req, reply) => {
    const urlPath = req.url.split('?')[0] ?? '';
    const vendor = urlPath.startsWith('/ui/vendor/');
    return send(req, reply, urlPath, vendor ? 'public, max-age=604800' : 'no-cache');
  });
};
