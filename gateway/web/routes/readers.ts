import type { RouteModule } from '../context.js';
import * as S from '../schemas.js';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** Every reader with its state, last activity, clock offset and error counters. */
export const readerRoutes: RouteModule = (app, { d, present }) => {
  app.get('/api/readers', { schema: { response: { 200: S.ReadersReply } } }, async () => ({
    items: d.devices.list().map((r) => ({
      ...r,
      doorName: present.doorName(r.doorId),
      since: iso(r.since),
      lastSeen: iso(r.lastSeen),
    })),
  }));
};
