import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AlertRecord } from '../alerts/alert-manager.js';
import type { DoorView } from '../doors/door-model.js';
import type { FireStatus } from '../doors/fire-control.js';
import type { EntryView, LiveBus } from '../live-bus.js';

/** A client that has this many unsent bytes is too slow; it is dropped, not buffered forever. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** How each live event is shown to the client. */
export interface LivePresenters {
  entry: (e: EntryView) => unknown;
  alert: (a: AlertRecord, isNew: boolean) => unknown;
  /** Door states and the fire all-open (issue 13). */
  door?: (v: DoorView) => unknown;
  fire?: (f: FireStatus) => unknown;
}

/**
 * Server-Sent Events of live entries and alerts (`/api/live`), and of door states and the
 * fire all-open (issue 13). An entry carries its journal seq as its id, an alert its alert
 * id, a door its door id; a heartbeat comment every 15 s keeps proxies from closing it.
 */
export function serveLive(
  req: FastifyRequest,
  reply: FastifyReply,
  live: LiveBus,
  present: LivePresenters,
): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 3000\n\n');
  const send = (event: string, id: string | number, data: unknown) => {
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      req.log.warn('live client too slow; closing');
      res.destroy();
      return;
    }
    res.write(`event: ${event}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const onEntry = (e: EntryView) => send('entry', e.seq, present.entry(e));
  const onAlert = (a: AlertRecord, isNew: boolean) => send('alert', a.id, present.alert(a, isNew));
  const onDoor = (v: DoorView) => send('door', v.id, present.door ? present.door(v) : v);
  const onFire = (f: FireStatus) => send('fire', 'fire', present.fire ? present.fire(f) : f);
  live.on('entry', onEntry);
  live.on('alert', onAlert);
  live.on('door', onDoor);
  live.on('fire', onFire);
  const heartbeat = setInterval(() => res.write(': keepalive\n\n'), 15_000);
  heartbeat.unref();
  const close = () => {
    clearInterval(heartbeat);
    live.off('entry', onEntry);
    live.off('alert', onAlert);
    live.off('door', onDoor);
    live.off('fire', onFire);
  };
  req.raw.on('close', close);
  res.on('error', close);
}
