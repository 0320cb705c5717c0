import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { GatewayError } from '../../core/errors.js';
import type { HttpIngress, IngressHead } from '../../core/ingress.js';
import type { Drift, EntryOutcome, LibraryEntry, Provisioner } from '../../core/provisioning.js';
import {
  EDIT_PERSON_PACE_MS,
  ERRORS,
  MAX_CUSTOM_ID,
  MAX_DELETE_BATCH,
  MAX_NAME,
  NOT_FOUND,
  OP,
} from './constants.js';
import type { MqttFaceOptions } from './options.js';
import type { Uplink } from './parse.js';

/** Photos served for EditPersonsNew's picURI, all terminals together (the batch waits below it). */
const MAX_SERVED_BYTES = 32 * 1024 * 1024;
/** A served photo is forgotten this long after its batch was answered (a slow terminal may fetch late). */
const PHOTO_GRACE_MS = 60_000;
/** Route of the photos on the terminal listener. */
export const PHOTO_ROUTE = '/mqtt-face/photos/';

/** What the provisioner is built from (the driver passes each). */
export interface MqttFaceProvisionerDeps {
  terminals: ReadonlyArray<{ readerId: string; o: MqttFaceOptions }>;
  /** Publishes a downlink message to the terminal. */
  publish: (readerId: string, body: Record<string, unknown>) => void;
  ingress: HttpIngress;
  clock: Clock;
  log: Logger;
}

interface Job {
  op: 'put' | 'remove';
  key: string;
  entry?: LibraryEntry;
  resolve: (o: EntryOutcome) => void;
  reject: (e: Error) => void;
}

interface Awaited {
  messageId: string;
  resolve: (a: Extract<Uplink, { kind: 'ack' }>) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

interface TerminalState {
  readerId: string;
  o: MqttFaceOptions;
  online: boolean;
  jobs: Job[];
  draining: boolean;
  lastEditPerson: number;
  waiting: Awaited | null;
}

interface Served {
  readerId: string;
  address: string;
  jpeg: Buffer;
  /** Until when it is served; null while its batch waits for the Ack. */
  until: number | null;
}

/**
 * The person library of mqtt-face terminals (protocols.md §5 "Enrolment"): puts and
 * deletions queue per terminal and leave as the protocol wants them — DeletePersons in
 * batches of up to 200; EditPersonsNew in batches (`batch`, ≤ 1,000) with each photo
 * served once to that terminal's address from the gateway's terminal listener (picURI,
 * `photoUrl`), or, without a photo URL, EditPerson one person at a time at least 1 s
 * apart. Each Ack is matched by messageId; AddPersons-Ack keeps code "200" when persons
 * fail, so each person's outcome comes from AddErrInfo (410–478 → core/codes.ts
 * libraryRefusal, with the vendor's code and words). The protocol lists no persons:
 * drift comes from the gateway's record of what it enrolled.
 */
export class MqttFaceProvisioner implements Provisioner {
  readonly kind = 'face' as const;
  readonly window: number;
  readonly #d: MqttFaceProvisionerDeps;
  readonly #terms = new Map<string, TerminalState>();
  readonly #served = new Map<string, Served>();
  readonly #listeners = new Set<(readerId: string) => void>();
  #servedBytes = 0;
  #seq = 0;

  constructor(d: MqttFaceProvisionerDeps) {
    this.#d = d;
    for (const t of d.terminals)
      this.#terms.set(t.readerId, {
        readerId: t.readerId,
        o: t.o,
        online: false,
        jobs: [],
        draining: false,
        lastEditPerson: 0,
        waiting: null,
      });
    const batching = d.terminals.filter((t) => t.o.photoUrl);
    // As many in flight as a batch holds; one at a time where EditPerson paces them.
    this.window = batching.length > 0 ? Math.max(...batching.map((t) => t.o.batch)) : 1;
    if (batching.length > 0)
      d.ingress.route('GET', `${PHOTO_ROUTE}*`, (req) => this.#servePhoto(req), {
        maxBodyBytes: 0,
        authorize: (head) =>
          this.#photoFor(head) ? { ok: true } : { ok: false, reply: { status: 404, body: 'no such photo' } },
      });
  }

  /** The terminal came online (Online, a heartbeat or a record after silence). */
  ready(readerId: string): void {
    const t = this.#terms.get(readerId);
    if (!t) return;
    t.online = true;
    for (const f of this.#listeners) f(readerId);
  }

  /** The terminal went offline: what waits for it fails, so the sync run ends (retried when it is back). */
  gone(readerId: string): void {
    const t = this.#terms.get(readerId);
    if (!t) return;
    t.online = false;
    const err = new GatewayError('READER_OFFLINE', `reader ${readerId} went offline`);
    t.waiting?.reject(err);
    for (const j of t.jobs.splice(0)) j.reject(err);
  }

  /** Stops: nothing more is sent; what waits fails. */
  stop(): void {
    for (const t of this.#terms.values()) {
      const err = new GatewayError('STOPPING', 'the gateway is stopping');
      t.waiting?.reject(err);
      for (const j of t.jobs.splice(0)) j.reject(err);
    }
  }

  /** The gateway is stopping (LibrarySync.stop): as stop(). */
  abort(): void {
    this.stop();
  }

  onReady(listener: (readerId: string) => void): () => void {
    this.#listeners.add(listener);
    for (const t of this.#terms.values()) if (t.online) listener(t.readerId);
    return () => this.#listeners.delete(listener);
  }

  async drift(
    readerId: string,
    expected: readonly string[],
    enrolled: readonly string[] = [],
  ): Promise<Drift> {
    this.#online(readerId);
    const held = new Set(enrolled);
    const want = new Set(expected);
    return {
      orphans: [...held].filter((k) => !want.has(k)),
      missing: expected.filter((k) => !held.has(k)),
    };
  }

  put(readerId: string, entry: LibraryEntry): Promise<EntryOutcome> {
    if (entry.key.length > MAX_CUSTOM_ID)
      return Promise.resolve({
        ok: false,
        code: 'bad_key',
        message: `customId longer than ${MAX_CUSTOM_ID} characters`,
      });
    if (!entry.photo)
      return Promise.resolve({ ok: false, code: 'no_photo', message: 'the entry carries no photo' });
    return this.#enqueue(readerId, { op: 'put', key: entry.key, entry });
  }

  remove(readerId: string, key: string): Promise<EntryOutcome> {
    return this.#enqueue(readerId, { op: 'remove', key });
  }

  /** An Ack from the terminal (the driver hands every one on). */
  onAck(readerId: string, ack: Extract<Uplink, { kind: 'ack' }>): void {
    const w = this.#terms.get(readerId)?.waiting;
    if (!w || (ack.messageId !== undefined && ack.messageId !== w.messageId)) {
      this.#d.log.debug(
        { reader: readerId, operator: ack.operator },
        'Ack for nothing in flight (late or repeated)',
      );
      return;
    }
    w.resolve(ack);
  }

  #online(readerId: string): TerminalState {
    const t = this.#terms.get(readerId);
    if (!t?.online) throw new GatewayError('READER_OFFLINE', `reader ${readerId} is offline`);
    return t;
  }

  #enqueue(readerId: string, job: Omit<Job, 'resolve' | 'reject'>): Promise<EntryOutcome> {
    return new Promise<EntryOutcome>((resolve, reject) => {
      let t: TerminalState;
      try {
        t = this.#online(readerId);
      } catch (err) {
        reject(err as Error);
        return;
      }
      t.jobs.push({ ...job, resolve, reject });
      // Let the calls of this tick join the same batch.
      if (!t.draining) {
        t.draining = true;
        setImmediate(() => void this.#drain(t));
      }
    });
  }

  async #drain(t: TerminalState): Promise<void> {
    try {
      while (t.jobs.length > 0) {
        const removes = t.jobs.filter((j) => j.op === 'remove');
        // Deletions first: a person who left stops opening the door before anyone is added.
        if (removes.length > 0) await this.#deleteBatch(t, removes.slice(0, MAX_DELETE_BATCH));
        else if (t.o.photoUrl) await this.#editBatch(t);
        else await this.#editOne(t);
      }
    } finally {
      t.draining = false;
    }
  }

  #take(t: TerminalState, jobs: Job[]): void {
    const gone = new Set(jobs);
    t.jobs = t.jobs.filter((j) => !gone.has(j));
  }

  async #deleteBatch(t: TerminalState, jobs: Job[]): Promise<void> {
    this.#take(t, jobs);
    const ack = await this.#request(t, jobs, {
      operator: OP.deletePersons,
      info: { facesluiceId: t.o.facesluiceId, customId: jobs.map((j) => j.key) },
    });
    if (!ack) return;
    const errs = errorsOf(ack.info, ['DelErrInfo', 'DeleteErrInfo', 'ErrInfo', 'AddErrInfo']);
    for (const j of jobs) {
      const code = errs.get(j.key) ?? (ack.code === '200' || ack.code === '' ? null : ack.code);
      // Gone already is what a deletion wants.
      j.resolve(code === null || code === NOT_FOUND ? { ok: true } : refusal(code));
    }
  }

  async #editBatch(t: TerminalState): Promise<void> {
    const jobs: Job[] = [];
    let bytes = 0;
    for (const j of t.jobs) {
      if (j.op !== 'put' || jobs.length >= t.o.batch) break;
      const size = j.entry?.photo?.data.length ?? 0;
      // Photos wait in memory until fetched: a batch stays under the serving budget.
      if (jobs.length > 0 && this.#servedBytes + bytes + size > MAX_SERVED_BYTES) break;
      bytes += size;
      jobs.push(j);
    }
    this.#take(t, jobs);
    const tokens: string[] = [];
    const info = jobs.map((j) => {
      const token = randomBytes(16).toString('hex');
      tokens.push(token);
      const jpeg = j.entry?.photo?.data ?? Buffer.alloc(0);
      this.#served.set(token, { readerId: t.readerId, address: t.o.address ?? '', jpeg, until: null });
      this.#servedBytes += jpeg.length;
      return { ...person(j.entry as LibraryEntry, t.o), picURI: `${t.o.photoUrl}${PHOTO_ROUTE}${token}.jpg` };
    });
    try {
      const ack = await this.#request(
        t,
        jobs,
        {
          DataBegin: 'BeginFlag',
          operator: OP.editPersonsNew,
          PersonNum: String(jobs.length),
          info,
          DataEnd: 'EndFlag',
        },
        jobs.length * 200,
      );
      if (!ack) return;
      // AddPersons-Ack keeps code "200" when persons fail: AddErrInfo says who (§5).
      const errs = errorsOf(ack.info, ['AddErrInfo', 'ErrInfo']);
      for (const j of jobs) {
        const code = errs.get(j.key) ?? (ack.code === '200' || ack.code === '' ? null : ack.code);
        j.resolve(code === null ? { ok: true } : refusal(code));
      }
    } finally {
      const until = this.#d.clock.now() + PHOTO_GRACE_MS;
      for (const token of tokens) {
        const s = this.#served.get(token);
        if (s) s.until = until;
      }
      this.#sweep();
    }
  }

  async #editOne(t: TerminalState): Promise<void> {
    const job = t.jobs.find((j) => j.op === 'put') as Job;
    // EditPerson at least 1 s apart (§5): a faster one is refused with 410 busy.
    const wait = t.lastEditPerson + EDIT_PERSON_PACE_MS - this.#d.clock.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (!t.jobs.includes(job)) return; // failed meanwhile (offline, stop)
    this.#take(t, [job]);
    t.lastEditPerson = this.#d.clock.now();
    const e = job.entry as LibraryEntry;
    const ack = await this.#request(t, [job], {
      operator: OP.editPerson,
      info: {
        facesluiceId: t.o.facesluiceId,
        ...person(e, t.o),
        pic: `data:image/jpeg;base64,${e.photo?.data.toString('base64') ?? ''}`,
      },
    });
    if (!ack) return;
    const code = ack.code === '200' || ack.code === '' ? null : ack.code;
    job.resolve(code === null ? { ok: true } : refusal(code));
  }

  /**
   * Sends one message and waits for its Ack (the waiter is set before sending). On a
   * timeout or a lost terminal every job of the message fails, which ends the sync run.
   */
  async #request(
    t: TerminalState,
    jobs: Job[],
    body: Record<string, unknown>,
    extraMs = 0,
  ): Promise<Extract<Uplink, { kind: 'ack' }> | null> {
    const messageId = `gw-${this.#d.clock.now().toString(36)}-${++this.#seq}`;
    try {
      const ack = await new Promise<Extract<Uplink, { kind: 'ack' }>>((resolve, reject) => {
        const timeoutMs = t.o.ackTimeoutMs + extraMs;
        const timer = setTimeout(
          () =>
            reject(
              new GatewayError(
                'TIMEOUT',
                `reader ${t.readerId} did not answer ${body.operator} within ${timeoutMs} ms`,
              ),
            ),
          timeoutMs,
        );
        t.waiting = { messageId, resolve, reject, timer };
        this.#d.publish(t.readerId, { messageId, ...body });
      });
      return ack;
    } catch (err) {
      // The run that asked is over: what else waits for this terminal fails with it.
      for (const j of [...jobs, ...t.jobs.splice(0)]) j.reject(err as Error);
      return null;
    } finally {
      if (t.waiting?.messageId === messageId) {
        clearTimeout(t.waiting.timer);
        t.waiting = null;
      }
    }
  }

  #photoFor(head: IngressHead): Served | undefined {
    const m = /^([0-9a-f]{32})\.jpg$/.exec(head.path.slice(PHOTO_ROUTE.length));
    const s = m ? this.#served.get(m[1] as string) : undefined;
    // Only the terminal whose batch it is may fetch it, and only while it is served.
    if (!s || s.address !== head.remoteAddress) return undefined;
    if (s.until !== null && s.until < this.#d.clock.now()) return undefined;
    return s;
  }

  #servePhoto(head: IngressHead) {
    const s = this.#photoFor(head);
    if (!s) return { status: 404, body: 'no such photo' };
    return { status: 200, headers: { 'content-type': 'image/jpeg' }, body: s.jpeg };
  }

  #sweep(): void {
    const now = this.#d.clock.now();
    for (const [token, s] of this.#served) {
      if (s.until !== null && s.until < now) {
        this.#served.delete(token);
        this.#servedBytes -= s.jpeg.length;
      }
    }
  }
}

/** A vendor code as an entry's refusal: its libraryRefusal, its code and its words. */
export function refusal(code: string): Extract<EntryOutcome, { ok: false }> {
  const known = ERRORS[code];
  return {
    ok: false,
    code: known?.refusal ?? 'vendor_error',
    vendorCode: code,
    message: `${code} ${known?.words ?? 'error'}`,
  };
}

/** customId → errcode from the first of `fields` that lists them. */
function errorsOf(info: Record<string, unknown>, fields: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of fields) {
    const list = info[f];
    if (!Array.isArray(list)) continue;
    for (const e of list) {
      if (!e || typeof e !== 'object') continue;
      const x = e as Record<string, unknown>;
      const id = typeof x.customId === 'string' ? x.customId : null;
      const code = x.errcode ?? x.errCode ?? x.code;
      if (id && (typeof code === 'string' || typeof code === 'number')) out.set(id, String(code));
    }
    return out;
  }
  return out;
}

/** The person fields of EditPersonsNew / EditPerson (§5), numbers as strings as the terminals write them. */
function person(e: LibraryEntry, o: MqttFaceOptions): Record<string, unknown> {
  const temp = e.temporary === true || (e.validTo ?? null) !== null;
  return {
    customId: e.key,
    name: [...(e.name ?? '')].slice(0, MAX_NAME).join(''),
    personType: 0,
    tempValid: temp ? 1 : 0,
    ...(temp
      ? {
          validBegin: local(e.validFrom ?? 0, o.zoneOffsetMs),
          validEnd: local(e.validTo ?? Date.parse('2099-12-31T00:00:00Z'), o.zoneOffsetMs),
        }
      : {}),
  };
}

/** `YYYY-MM-DD HH:mm:ss` in the terminal's zone. */
function local(ms: number, zoneOffsetMs: number): string {
  return new Date(ms + zoneOffsetMs).toISOString().slice(0, 19).replace('T', ' ');
}
