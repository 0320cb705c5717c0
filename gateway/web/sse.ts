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

/** How a stream stays tied to its caller's session (issue 9 item 8). */
export interface StreamLife {
  /** Between heartbeats; a heartbeat comment keeps proxies from closing the stream. */
  heartbeatMs: number;
  /** Asked at every heartbeat: false ends the stream (session ended, expired, account disabled). */
  alive: () => boolean;
  /** Registers the stream's close with whoever ends sessions; returns its unregister. */
  register: (close: () => void) => () => void;
}

/**
 * Server-Sent Events of live entries and alerts (`/api/live`), and of door states and the
 * fire all-open (issue 13). An entry carries its journal seq as its id, an alert its alert
 * id, a door its door id. The stream ends with its session: at once on logout, a password
 * change or a disabled account (`register`), and at the next heartbeat when the session
 * is found gone otherwise (`alive`).
 */
export function serveLive(
  req: FastifyRequest,
  reply: FastifyReply,
  live: LiveBus,
  present: LivePresenters,
  life: StreamLife,
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
  let unregister = () => {};
  const end = () => {
    close();
    res.end();
  };
  const heartbeat = setInterval(() => {
    if (life.alive()) res.write(': keepalive\n\n');
    else {
      req.log.info('live stream ended: its session is no longer valid');
      end();
    }
  }, life.heartbeatMs);
  heartbeat.unref();
  const close = () => {
    clearInterval(heartbeat);
    live.off('entry', onEntry);
    live.off('alert', onAlert);
    live.off('door', onDoor);
    live.off('fire', onFire);
    unregister();
  };
  unregister = life.register(end);
  req.raw.on('close', close);
  res.on('error', close);
}
