import type { HttpIngress, IngressReply, IngressRequest } from '../../core/ingress.js';
import { boundaryOf, parseMultipart } from '../http/multipart.js';
import type { PushAuth } from '../http/push-auth.js';
import { type AssembledEvent, HikAssembler } from './assembler.js';
import { parseEventText } from './event.js';
import type { HikTerminal } from './terminal.js';
import { responseStatusJson } from './wire.js';

/** Where terminals push: `http://<gateway>:<terminals.http.port>/hikvision/<reader id>`. */
export const PUSH_PREFIX = '/hikvision/';

/** A terminal that may push, and how its pushes are checked. */
export interface PushTarget {
  terminal: HikTerminal;
  auth: PushAuth;
}

const OK: IngressReply = {
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: responseStatusJson({ statusCode: 1 }),
};

/**
 * Registers the HTTP-host route (protocols.md §2 "Events pushed to the gateway"): one path
 * per terminal under /hikvision/, checked from the head (its address or its Digest login),
 * the body read whole up to three pictures' worth, every event in it recorded durably, then
 * 200 — within milliseconds, since a slow reply makes the terminal retry in a storm. Bad
 * input is counted and logged and still answered 200: sending it again would not mend it.
 * Only a failure to record (the store) answers 500, so the terminal keeps the event and retries.
 */
export function registerPushRoute(ingress: HttpIngress, targets: ReadonlyMap<string, PushTarget>): void {
  const maxPicture = Math.max(0, ...[...targets.values()].map((t) => t.terminal.options.maxPictureBytes));
  ingress.route('POST', `${PUSH_PREFIX}*`, (req) => handle(req, targets), {
    maxBodyBytes: 3 * maxPicture + 256 * 1024,
    authorize: (head) => {
      const t = targets.get(readerOf(head.path));
      if (!t) return { ok: false, reply: { status: 404, body: 'no such terminal' } };
      return t.auth.check(head);
    },
    // Firmware resends a refused push without end: dropped, answered, fetched by AcsEvent.
    oversize: (head) => {
      targets.get(readerOf(head.path))?.terminal.oversizePush();
      return OK;
    },
  });
}

function readerOf(path: string): string {
  return decodeURIComponent(path.slice(PUSH_PREFIX.length).split('/')[0] ?? '');
}

async function handle(req: IngressRequest, targets: ReadonlyMap<string, PushTarget>): Promise<IngressReply> {
  const target = targets.get(readerOf(req.path));
  if (!target) return { status: 404, body: 'no such terminal' };
  const t = target.terminal;
  const contentType = req.headers['content-type'] ?? '';
  const events: AssembledEvent[] = [];
  if (/^multipart\//i.test(contentType)) {
    const boundary = boundaryOf(contentType);
    if (!boundary) {
      t.bad('bad_frame', 'multipart push without a boundary');
      return OK;
    }
    const assembler = new HikAssembler(t.options.utcOffsetMinutes, t.options.maxPictureBytes, {
      event: (e) => events.push(e),
      bad: (reason, detail) => t.bad(reason, detail),
      pictureDropped: (why) => t.pictureDropped(why),
    });
    for (const e of parseMultipart(req.body, boundary, { maxPartBytes: t.options.maxPictureBytes }))
      assembler.part(e);
    assembler.flush();
  } else {
    // Firmware that pushes the event alone, as JSON or XML.
    events.push({ parsed: parseEventText(req.body.toString('utf8'), t.options.utcOffsetMinutes) });
  }
  try {
    await t.pushed(events);
  } catch {
    return { status: 500, body: 'not recorded; send it again' };
  }
  return OK;
}
