import type { Logger } from 'pino';
import { GatewayError } from '../../core/errors.js';
import type { Drift, EntryOutcome, LibraryEntry, Provisioner } from '../../core/provisioning.js';
import {
  bioPhoto,
  type CommandResult,
  type DeviceInfo,
  deleteUser,
  QUERY_USERS,
  userInfo,
} from './commands.js';
import { MAX_DIGIT_PIN, MAX_TEXT_PIN, RETURNS } from './constants.js';
import type { ZktecoOptions } from './options.js';
import type { CommandQueue } from './queue.js';

/** What the provisioner knows of one terminal (the driver owns it and keeps it current). */
export interface ZkTerminal {
  readerId: string;
  o: ZktecoOptions;
  queue: CommandQueue;
  online: boolean;
  /** What its last getrequest INFO= said (user count, firmware). */
  info: DeviceInfo;
}

interface UserListing {
  pins: Set<string>;
  admins: Set<string>;
  /** Called when the USER lines arrived (the count the terminal announced, or its result and a poll's wait). */
  settle: () => void;
}

/** Commands per put (USERINFO, BIOPHOTO) and puts in flight: a poll hands out a few photos at a time. */
const WINDOW = 8;

/**
 * The person library of ZKTeco push terminals (protocols.md §4): a person is `DATA UPDATE
 * USERINFO` (PIN = the roster's face id, name, first card as a decimal number) then `DATA
 * UPDATE BIOPHOTO` (the face photo); a person who leaves is `DATA DELETE USERINFO`. The
 * commands queue per terminal and leave when it polls; each result is matched by command
 * id. A photo the terminal refuses takes its user with it, so no half-enrolled person
 * (a card without a face the sync does not know it wrote) stays on the door. Drift comes
 * from the gateway's record, checked against the user count the terminal reports with
 * each poll; when they differ, the terminal is asked for its users (DATA QUERY USERINFO).
 */
export class ZktecoProvisioner implements Provisioner {
  readonly kind = 'face' as const;
  readonly window = WINDOW;
  readonly #terms: ReadonlyMap<string, ZkTerminal>;
  readonly #log: Logger;
  readonly #listeners = new Set<(readerId: string) => void>();
  readonly #listings = new Map<string, UserListing>();
  /** Administrators each terminal listed last (never touched; part of its user count). */
  readonly #admins = new Map<string, number>();

  constructor(terminals: ReadonlyMap<string, ZkTerminal>, log: Logger) {
    this.#terms = terminals;
    this.#log = log;
  }

  /** The gateway is stopping: commands waiting for a poll or a result fail now. */
  abort(): void {
    const err = new GatewayError('STOPPING', 'the gateway is stopping');
    for (const t of this.#terms.values()) t.queue.failAll(err);
  }

  /** The terminal came online (the driver saw a request after silence). */
  ready(readerId: string): void {
    for (const f of this.#listeners) f(readerId);
  }

  /** USER lines of an OPERLOG upload: collected when a listing is under way. */
  users(readerId: string, pins: readonly string[], admins: readonly string[] = []): void {
    const l = this.#listings.get(readerId);
    if (!l) return;
    for (const p of pins) l.pins.add(p);
    for (const p of admins) l.admins.add(p);
    const want = this.#terms.get(readerId)?.info.users;
    if (want !== undefined && l.pins.size + l.admins.size >= want) l.settle();
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
    const t = this.#online(readerId);
    let held: ReadonlySet<string> = new Set(enrolled);
    // The count the terminal reports says whether the record can be trusted.
    const admins = this.#admins.get(readerId) ?? 0;
    if (t.info.users !== undefined && t.info.users !== enrolled.length + admins)
      held = await this.#listUsers(t);
    const want = new Set(expected);
    return {
      orphans: [...held].filter((k) => !want.has(k)),
      missing: expected.filter((k) => !held.has(k)),
    };
  }

  async put(readerId: string, entry: LibraryEntry): Promise<EntryOutcome> {
    const t = this.#online(readerId);
    const bad = pinProblem(entry.key, t.o.pin);
    if (bad) return { ok: false, code: 'bad_key', message: bad };
    if (!entry.photo) return { ok: false, code: 'no_photo', message: 'the entry carries no photo' };
    // Both go out together (a poll keeps their order); the photo's result decides.
    const [user, photo] = await Promise.all([
      t.queue.push(userInfo(entry.key, entry.name, entry.cards)),
      t.queue.push(bioPhoto(entry.key, entry.photo.data)),
    ]);
    if (user.ret !== 0) return refusal(user, 'USERINFO');
    if (photo.ret === 0) return { ok: true };
    // No person without a face the sync did not record writing: the user goes again.
    const removed = await t.queue.push(deleteUser(entry.key));
    if (removed.ret !== 0)
      this.#log.warn(
        { reader: readerId, person: entry.key, ret: removed.ret },
        'user of a refused photo not deleted',
      );
    return refusal(photo, 'BIOPHOTO');
  }

  async remove(readerId: string, key: string): Promise<EntryOutcome> {
    const t = this.#online(readerId);
    const r = await t.queue.push(deleteUser(key));
    return r.ret === 0 ? { ok: true } : refusal(r, 'DELETE');
  }

  #online(readerId: string): ZkTerminal {
    const t = this.#terms.get(readerId);
    if (!t?.online) throw new GatewayError('READER_OFFLINE', `reader ${readerId} is offline`);
    return t;
  }

  /** Asks the terminal for its users; they come as OPERLOG USER lines. */
  async #listUsers(t: ZkTerminal): Promise<Set<string>> {
    let settle: () => void = () => {};
    const arrived = new Promise<void>((r) => {
      settle = r;
    });
    const listing: UserListing = { pins: new Set(), admins: new Set(), settle };
    this.#listings.set(t.readerId, listing);
    try {
      const r = await t.queue.push(QUERY_USERS);
      // An empty library answers -1 ("no data") on some firmware.
      if (r.ret !== 0 && !(r.ret === -1 && t.info.users === 0))
        throw new GatewayError(
          'ZK_QUERY',
          `reader ${t.readerId} refused DATA QUERY USERINFO (Return=${r.ret})`,
        );
      if (listing.pins.size + listing.admins.size < (t.info.users ?? 0)) {
        // Some firmware uploads after the result: one poll's wait at most.
        const wait = t.o.pollSeconds * 1000 + 2000;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([arrived, new Promise((r) => (timer = setTimeout(r, wait)))]);
        clearTimeout(timer);
      }
      this.#admins.set(t.readerId, listing.admins.size);
      this.#log.info(
        { reader: t.readerId, users: listing.pins.size, admins: listing.admins.size },
        'terminal listed its users',
      );
      return listing.pins;
    } finally {
      this.#listings.delete(t.readerId);
    }
  }
}

/** Why a PIN cannot be one on this firmware, or null. */
export function pinProblem(key: string, mode: ZktecoOptions['pin']): string | null {
  if (mode === 'digits')
    return new RegExp(`^\\d{1,${MAX_DIGIT_PIN}}$`).test(key)
      ? null
      : `PIN must be 1–${MAX_DIGIT_PIN} digits on this terminal (options.pin: digits); give the roster numeric face ids`;
  return new RegExp(`^[A-Za-z0-9_.:-]{1,${MAX_TEXT_PIN}}$`).test(key)
    ? null
    : `PIN must be at most ${MAX_TEXT_PIN} letters, digits or _ . : -`;
}

/** A result as an entry's refusal, with the terminal's Return and the command it answered. */
function refusal(r: CommandResult, what: string): Extract<EntryOutcome, { ok: false }> {
  const known = RETURNS[String(r.ret)];
  // A photo refused (-1 to BIOPHOTO) is the photo: the terminal found no usable face.
  const photo = what === 'BIOPHOTO' && r.ret === -1;
  return {
    ok: false,
    code: photo ? 'photo_refused' : (known?.refusal ?? 'vendor_error'),
    vendorCode: String(r.ret),
    message: `${what} Return=${r.ret}: ${photo ? 'the terminal refused the photo' : (known?.words ?? 'error')}`,
  };
}
