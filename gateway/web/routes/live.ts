import { createReadStream } from 'node:fs';
import { isThumbRef, resolveThumb } from '../../ledger/evidence-refs.js';
import type { RouteModule } from '../context.js';
import { maskEntry } from '../present.js';
import { problem } from '../problem.js';
import * as S from '../schemas.js';
import { serveLive } from '../sse.js';
import { doorStateView, fireStateView } from './doors.js';

/** A caller's fetches of one thumbnail within this window are one audit row (issue 9 item 9). */
const THUMB_AUDIT_WINDOW_MS = 3600_000;

/** Server-Sent Events of entries and alerts as they happen, and face thumbnails. */
export const liveRoutes: RouteModule = (app, w) => {
  const { d, present } = w;
  app.get('/api/live', { schema: { response: { 200: S.EventStream } } }, (req, reply) => {
    const masked = w.masked(req);
    const p = req.principal!;
    const idHash = p.session?.idHash;
    serveLive(
      req,
      reply,
      d.live,
      {
        entry: (e) => maskEntry(present.entry(e), masked),
        alert: (a, isNew) => ({ ...present.alert(a), isNew }),
        door: (v) => doorStateView(v, d.doors.canOpen(v.id)),
        fire: fireStateView,
      },
      {
        heartbeatMs: d.config.dashboard.liveHeartbeatSeconds * 1000,
        // API tokens live as long as the secrets file names them; sessions are checked.
        alive: () => (idHash ? w.accounts.sessions.alive(idHash) : true),
        register: (close) => w.streams.add(p, close),
      },
    );
  });

  app.get(
    '/api/thumbs/*',
    { schema: { response: { 200: S.Image, 400: S.ErrorReply, 404: S.ErrorReply } } },
    async (req, reply) => {
      const rel = `thumbs/${(req.params as { '*': string })['*']}`;
      if (!isThumbRef(rel)) return reply.status(400).send(problem(400, 'not a thumbnail path'));
      // The one resolver of evidence files: the real path must be inside dataDir/thumbs.
      const r = await resolveThumb(d.dataDir, rel);
      if (r.file === null)
        return r.why === 'refused'
          ? reply.status(400).send(problem(400, 'not a thumbnail path'))
          : reply.status(404).send(problem(404, 'thumbnail expired or not yet written'));
      // A face is personal data: every caller's first look at it in a window is audited.
      const p = req.principal;
      const who = p ? `${p.kind}:${p.name}` : '';
      if (w.throttle.first(`thumb.view\0${who}\0${rel}`, d.clock.now() + THUMB_AUDIT_WINDOW_MS))
        w.audit(req, { action: 'thumb.view', target: rel });
      else w.counters.auditSuppressed.inc({ action: 'thumb.view' });
      reply.header('content-type', rel.endsWith('.webp') ? 'image/webp' : 'image/jpeg');
      // Not kept by the browser or anything between: a face stays on the box (issue 9 item 9).
      reply.header('cache-control', 'no-store');
      return reply.send(createReadStream(r.file));
    },
  );
};
