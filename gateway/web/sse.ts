import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AlertRecord } from '../alerts/alert-manager.js';
import type { EntryView, LiveBus } from '../live-bus.js';

/** A client that has this many unsent bytes is too slow; it is dropped, not buffered forever. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * Server-Sent Events of live entries and alerts (`/api/live`). Each event carries the
 * journal seq as its id; a heartbeat comment every 15 s keeps proxies from closing it.
 */
export function serveLive(
  req: FastifyRequest,
  reply: FastifyReply,
  live: LiveBus,
  present: { entry: (e: EntryView) => unknown; alert: (a: AlertRecord, isNew: boolean) => unknown },
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
  live.on('entry', onEntry);
  live.on('alert', onAlert);
  const heartbeat = setInterval(() => res.write(': keepalive\n\n'), 15_000);
  heartbeat.unref();
  const close = () => {
    clearInterval(heartbeat);
    live.off('entry', onEntry);
    live.off('alert', onAlert);
  };
  req.raw.on('close', close);
  res.on('error', close);
}
