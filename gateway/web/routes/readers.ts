import type { RouteModule } from '../context.js';
import * as S from '../schemas-status.js';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/**
 * Every reader with its state, last activity, clock offset and error counters (and, for
 * fingerprint readers and face terminals, the last roster sync of their library); the doors.
 */
export const readerRoutes: RouteModule = (app, { d, present }) => {
  app.get('/api/readers', { schema: { response: { 200: S.ReadersReply } } }, async () => ({
    items: d.devices.list().map(({ fingerprintSync: sync, faceSync: face, ...r }) => ({
      ...r,
      doorName: present.doorName(r.doorId),
      since: iso(r.since),
      lastSeen: iso(r.lastSeen),
      ...(sync === undefined
        ? {}
        : { fingerprintSync: sync && { ...sync, at: new Date(sync.at).toISOString() } }),
      ...(face === undefined ? {} : { faceSync: face && { ...face, at: new Date(face.at).toISOString() } }),
    })),
  }));

  app.get('/api/doors', { schema: { response: { 200: S.DoorsReply } } }, async () => ({
    items: d.config.doors.map((x) => ({
      id: x.id,
      name: x.name,
      building: x.building ?? null,
      entrance: x.entrance ?? null,
      policy: x.policy,
    })),
  }));
};
