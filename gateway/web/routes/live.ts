import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { RouteModule } from '../context.js';
import { maskEntry } from '../present.js';
import { problem } from '../problem.js';
import * as S from '../schemas.js';
import { serveLive } from '../sse.js';
import { doorStateView, fireStateView } from './doors.js';

const THUMB_RE = /^thumbs\/\d{4}-\d{2}-\d{2}\/[0-9a-f]{20}\.(webp|jpg)$/;

/** Server-Sent Events of entries and alerts as they happen, and face thumbnails. */
export const liveRoutes: RouteModule = (app, w) => {
  const { d, present } = w;
  app.get('/api/live', { schema: { response: { 200: S.EventStream } } }, (req, reply) => {
    const masked = w.masked(req);
    serveLive(req, reply, d.live, {
      entry: (e) => maskEntry(present.entry(e), masked),
      alert: (a, isNew) => ({ ...present.alert(a), isNew }),
      door: (v) => doorStateView(v, d.doors.canOpen(v.id)),
      fire: fireStateView,
    });
  });

  app.get(
    '/api/thumbs/*',
    { schema: { response: { 200: S.Image, 400: S.ErrorReply, 404: S.ErrorReply } } },
    async (req, reply) => {
      const rel = `thumbs/${(req.params as { '*': string })['*']}`;
      if (!THUMB_RE.test(rel)) return reply.status(400).send(problem(400, 'not a thumbnail path'));
      const file = path.join(d.dataDir, rel);
      try {
        await stat(file);
      } catch {
        return reply.status(404).send(problem(404, 'thumbnail expired or not yet written'));
      }
      reply.header('content-type', rel.endsWith('.webp') ? 'image/webp' : 'image/jpeg');
      reply.header('cache-control', 'private, max-age=3600');
      return reply.send(createReadStream(file));
    },
  );
};
