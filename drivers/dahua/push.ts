import { parseDigestParams } from '../../core/digest.js';
import type { HttpIngress, IngressHead, IngressReply, IngressRequest } from '../../core/ingress.js';
import { boundaryOf, parseMultipart } from '../http/multipart.js';
import type { PushAuth } from '../http/push-auth.js';
import { type DahuaAssembled, DahuaAssembler } from './assembler.js';
import { parseEventText } from './codec.js';
import { CGI } from './constants.js';
import { readEvent } from './event.js';
import type { DahuaTerminal } from './terminal.js';

/** A terminal that may push, and how its pushes are checked. */
export interface DahuaPushTarget {
  terminal: DahuaTerminal;
  auth: PushAuth;
}

/**
 * Which terminal a push is from: the one named in `/notification/<reader id>`, else the one
 * whose Digest user name it carries, else the one at its source address.
 */
function targetOf(
  head: IngressHead,
  targets: ReadonlyMap<string, DahuaPushTarget>,
): DahuaPushTarget | undefined {
  const named = head.path.slice(CGI.notification.length + 1).split('/')[0];
  if (named) return targets.get(decodeURIComponent(named));
  const user = parseDigestParams(head.headers.authorization ?? '')?.get('username');
  if (user !== undefined) return targets.get(user);
  for (const t of targets.values()) if (t.auth.fromTerminal(head)) return t;
  return undefined;
}

/**
 * Registers `POST /notification` (and `/notification/<reader id>` for terminals that share an
 * address): the PictureHttpUpload push (protocols.md §3), checked from its head, its `info`
 * part and JPEG parts recorded durably, then `200 OK` at once. Bad input is counted and
 * answered 200; only a failure to record answers 500 so the terminal sends it again.
 */
export function registerDahuaPush(ingress: HttpIngress, targets: ReadonlyMap<string, DahuaPushTarget>): void {
  const maxPicture = Math.max(0, ...[...targets.values()].map((t) => t.terminal.options.maxPictureBytes));
  const opts = {
    maxBodyBytes: 4 * maxPicture + 256 * 1024,
    authorize: (head: IngressHead) => {
      const t = targetOf(head, targets);
      if (!t) return { ok: false as const, reply: { status: 403, body: 'not from a configured terminal' } };
      return t.auth.check(head);
    },
    // Firmware resends a refused push without end: dropped, answered, fetched by recordFinder.
    oversize: (head: IngressHead): IngressReply => {
      targetOf(head, targets)?.terminal.oversizePush();
      return { status: 200, body: 'OK' };
    },
  };
  const handler = (req: IngressRequest) => handle(req, targets);
  ingress.route('POST', CGI.notification, handler, opts);
  ingress.route('POST', `${CGI.notification}/*`, handler, opts);
}

async function handle(
  req: IngressRequest,
  targets: ReadonlyMap<string, DahuaPushTarget>,
): Promise<IngressReply> {
  const target = targetOf(req, targets);
  if (!target) return { status: 403, body: 'not from a configured terminal' };
  const t = target.terminal;
  const events: DahuaAssembled[] = [];
  const contentType = req.headers['content-type'] ?? '';
  if (/^multipart\//i.test(contentType)) {
    const boundary = boundaryOf(contentType);
    if (!boundary) {
      t.bad('bad_frame', 'multipart push without a boundary');
      return { status: 200, body: 'OK' };
    }
    const assembler = new DahuaAssembler(t.options.utcOffsetMinutes, t.options.maxPictureBytes, {
      event: (e) => events.push(e),
      bad: (reason, detail) => t.bad(reason, detail),
      pictureDropped: (why) => t.pictureDropped(why),
      heartbeat: () => t.heartbeat(),
    });
    for (const e of parseMultipart(req.body, boundary, { maxPartBytes: t.options.maxPictureBytes }))
      assembler.part(e);
    assembler.flush();
  } else {
    // An event upload without pictures: the JSON `{Code, Action, Data}` or an `info` alone.
    const text = req.body.toString('utf8').trim();
    const body = text.startsWith('{') && !/"Events"\s*:/.test(text) ? `{"Events":[${text}]}` : text;
    const parsed = parseEventText(body);
    if (!parsed.ok) t.bad(parsed.reason, parsed.detail);
    else if (parsed.kind === 'heartbeat') t.heartbeat();
    else
      for (const raw of parsed.events)
        events.push({ parsed: readEvent(raw, t.options.utcOffsetMinutes, parsed.time) });
  }
  try {
    await t.pushed(events);
  } catch {
    return { status: 500, body: 'not recorded; send it again' };
  }
  return { status: 200, body: 'OK' };
}
