/**
 * A simulated ZKTeco push terminal (an iclock client, protocols.md §4), written from the
 * protocol, not from the gateway's driver: it shakes hands on /iclock/cdata and sets its
 * clock from the answer's Date header, uploads each record at once (Realtime) as an ATTLOG
 * line and keeps it until an `OK: <n>` takes it (its buffer: a failed upload is sent again
 * on the next round, which is the catch-up after the server was away), polls
 * /iclock/getrequest with its INFO (user count…), runs `C:<id>:` commands (USERINFO,
 * BIOPHOTO, DELETE, QUERY) on its person library and posts the results to
 * /iclock/devicecmd. A command without the prefix is silently dropped, as real firmware
 * does. A photo it cannot use is refused with Return=-1.
 */
import type { Logger } from 'pino';
import { SimFaceLibrary } from './face-library.js';

/** Options of a simulated ZKTeco terminal. */
export interface ZktecoTerminalOptions {
  /** The gateway's terminal listener, http://host:port. */
  baseUrl: string;
  sn: string;
  /** Poll interval, overriding the server's Delay (tests poll fast). */
  pollMs?: number;
  /** Wait after a failed request (the server's ErrorDelay; tests wait less). */
  retryMs?: number;
  /** How far its clock is off before the first Date header sets it. */
  clockSkewMs?: number;
  library?: SimFaceLibrary;
  /** Users it holds from the start (the installer's admin account, Pri 14). */
  admins?: string[];
  log?: Logger;
}

/** Counters of one terminal. */
export interface ZktecoTerminalStats {
  handshakes: number;
  uploads: number;
  /** Uploads that failed and were kept to send again. */
  failedUploads: number;
  linesAccepted: number;
  polls: number;
  commands: number;
  droppedCommands: number;
}

interface User {
  name: string;
  card: string;
  pri: string;
}

/** One simulated terminal. Constructing it does no I/O; start() shakes hands. */
export class ZktecoTerminal {
  readonly library: SimFaceLibrary;
  readonly stats: ZktecoTerminalStats = {
    handshakes: 0,
    uploads: 0,
    failedUploads: 0,
    linesAccepted: 0,
    polls: 0,
    commands: 0,
    droppedCommands: 0,
  };
  readonly #o: ZktecoTerminalOptions;
  readonly #users = new Map<string, User>();
  /** ATTLOG lines not yet taken by an `OK: <n>`. */
  #unsent: string[] = [];
  #offsetMs: number;
  #zoneMs = 8 * 3600_000;
  #delayMs = 5000;
  #running = false;
  #shaken = false;
  #timer: NodeJS.Timeout | undefined;
  #uploading: Promise<void> | null = null;

  constructor(o: ZktecoTerminalOptions) {
    this.#o = o;
    this.#offsetMs = o.clockSkewMs ?? 0;
    this.library = o.library ?? new SimFaceLibrary();
    for (const a of o.admins ?? []) this.#users.set(a, { name: 'admin', card: '', pri: '14' });
  }

  /** The PINs of every user it holds, administrators too, sorted. */
  users(): string[] {
    return [...this.#users.keys()].sort();
  }

  /** Records not yet accepted by the server (its buffer). */
  get unsent(): number {
    return this.#unsent.length;
  }

  /** True once the last request reached the server. */
  get connected(): boolean {
    return this.#shaken;
  }

  /** Its clock now: the host's, set by the server's Date header. */
  now(): number {
    return Date.now() + this.#offsetMs;
  }

  /** Shakes hands (retrying until the server answers), then polls. */
  async start(timeoutMs = 10_000): Promise<void> {
    this.#running = true;
    const until = Date.now() + timeoutMs;
    while (!(await this.#handshake())) {
      if (Date.now() > until) throw new Error(`${this.#o.sn}: no handshake within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, this.#o.retryMs ?? 500));
    }
    this.#schedule(0);
  }

  /** Stops polling (a power cut: the buffer stays). */
  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
  }

  /**
   * Someone verifies at the terminal: `verify` 15 face, 1 finger, 4 card. Returns the
   * ATTLOG line's time as the terminal stamped it. Uploaded at once (Realtime); kept until
   * the server takes it.
   */
  present(pin: string, verify = 15, o: { ts?: number } = {}): string {
    const time = this.#local(o.ts ?? this.now());
    this.#unsent.push(`${pin}\t${time}\t0\t${verify}\t0\t0\t0`);
    void this.#upload();
    return time;
  }

  /** Posts raw bytes to cdata (bad-input tests); resolves with the server's status and text. */
  async postRaw(table: string, body: Buffer | string): Promise<{ status: number; text: string }> {
    const res = await this.#fetch(`/iclock/cdata?SN=${this.#o.sn}&table=${table}&Stamp=9999`, {
      method: 'POST',
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
    return { status: res.status, text: await res.text() };
  }

  /** Resolves once every record was accepted (or rejects after timeoutMs). */
  async drained(timeoutMs = 15_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.#unsent.length > 0) {
      if (Date.now() > until) throw new Error(`${this.#o.sn}: ${this.#unsent.length} record(s) not accepted`);
      await (this.#uploading ?? new Promise((r) => setTimeout(r, 20)));
      if (!this.#uploading) await this.#upload();
    }
  }

  #local(ms: number): string {
    return new Date(ms + this.#zoneMs).toISOString().slice(0, 19).replace('T', ' ');
  }

  async #fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(`${this.#o.baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(5000) });
    const date = res.headers.get('date');
    // The server's clock is this terminal's clock (§4).
    if (date) this.#offsetMs = Date.parse(date) - Date.now();
    return res;
  }

  async #handshake(): Promise<boolean> {
    try {
      const res = await this.#fetch(`/iclock/cdata?SN=${this.#o.sn}&options=all&pushver=2.4.1&language=83`);
      if (!res.ok) return false;
      const text = await res.text();
      this.stats.handshakes++;
      const opt = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(text)?.[1]?.trim();
      const tz = Number(opt('TimeZone'));
      if (Number.isFinite(tz)) this.#zoneMs = tz * 3600_000;
      const delay = Number(opt('Delay'));
      if (Number.isFinite(delay) && delay > 0) this.#delayMs = delay * 1000;
      this.#shaken = true;
      return true;
    } catch {
      this.#shaken = false;
      return false;
    }
  }

  #schedule(ms: number): void {
    if (!this.#running) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#round(), ms);
  }

  async #round(): Promise<void> {
    if (!this.#running) return;
    try {
      if (!this.#shaken && !(await this.#handshake())) throw new Error('no handshake');
      await this.#upload();
      await this.#poll();
      this.#schedule(this.#o.pollMs ?? this.#delayMs);
    } catch (err) {
      this.#shaken = false;
      this.#o.log?.debug({ sn: this.#o.sn, err: (err as Error).message }, 'iclock request failed');
      this.#schedule(this.#o.retryMs ?? 30_000);
    }
  }

  /** Uploads what is unsent; only an `OK: <n>` takes lines off the buffer. */
  #upload(): Promise<void> {
    if (this.#uploading || this.#unsent.length === 0 || !this.#running)
      return this.#uploading ?? Promise.resolve();
    const batch = this.#unsent.slice(0, 50);
    this.#uploading = (async () => {
      try {
        this.stats.uploads++;
        const res = await this.#fetch(`/iclock/cdata?SN=${this.#o.sn}&table=ATTLOG&Stamp=9999`, {
          method: 'POST',
          body: batch.join('\n'),
        });
        const m = /^OK:\s*(\d+)/.exec(await res.text());
        if (!res.ok || !m) throw new Error(`upload answered ${res.status}`);
        const n = Math.min(Number(m[1]), batch.length);
        this.#unsent.splice(0, n);
        this.stats.linesAccepted += n;
      } catch {
        this.stats.failedUploads++;
        this.#shaken = false;
      } finally {
        this.#uploading = null;
      }
    })();
    return this.#uploading;
  }

  async #poll(): Promise<void> {
    this.stats.polls++;
    const info = `SIM-ZK-1.0,${this.#users.size},0,0,127.0.0.1,10,7,12,${this.library.size},111`;
    const res = await this.#fetch(`/iclock/getrequest?SN=${this.#o.sn}&INFO=${encodeURIComponent(info)}`);
    if (!res.ok) throw new Error(`getrequest answered ${res.status}`);
    const text = await res.text();
    if (text.trim() === 'OK') return;
    const results: string[] = [];
    for (const line of text.split('\n')) {
      const m = /^C:(\d+):(.*)$/.exec(line.trim());
      if (!m) {
        // Without C:<id>: the firmware drops a command without a word (§4).
        if (line.trim() !== '') this.stats.droppedCommands++;
        continue;
      }
      this.stats.commands++;
      const ret = await this.#run(m[2] as string);
      results.push(`ID=${m[1]}&Return=${ret}&CMD=DATA`);
    }
    if (results.length > 0)
      await this.#fetch(`/iclock/devicecmd?SN=${this.#o.sn}`, { method: 'POST', body: results.join('\n') });
  }

  async #run(cmd: string): Promise<number> {
    const fields = (s: string) =>
      new Map(
        s.split('\t').map((p) => {
          const eq = p.indexOf('=');
          return [p.slice(0, eq), p.slice(eq + 1)] as const;
        }),
      );
    let m = /^DATA UPDATE USERINFO (.*)$/.exec(cmd);
    if (m) {
      const f = fields(m[1] as string);
      const pin = f.get('PIN') ?? '';
      if (!pin) return -1002;
      this.#users.set(pin, {
        name: f.get('Name') ?? '',
        card: f.get('Card') ?? '',
        pri: f.get('Privilege') ?? '0',
      });
      return 0;
    }
    m = /^DATA UPDATE BIOPHOTO (.*)$/.exec(cmd);
    if (m) {
      const f = fields(m[1] as string);
      const pin = f.get('PIN') ?? '';
      const user = this.#users.get(pin);
      const content = f.get('Content') ?? '';
      if (!user || f.get('Type') !== '9' || String(content.length) !== f.get('Size')) return -1002;
      const photo = Buffer.from(content, 'base64');
      const refused = this.library.upsert(
        {
          id: pin,
          name: user.name,
          cards: user.card ? [user.card] : [],
          temporary: false,
          photoBytes: photo.length,
        },
        photo,
      );
      return refused ? -1 : 0;
    }
    m = /^DATA DELETE USERINFO PIN=(.*)$/.exec(cmd);
    if (m) {
      this.#users.delete(m[1] as string);
      this.library.remove(m[1] as string);
      return 0;
    }
    if (cmd === 'DATA QUERY USERINFO') {
      const lines = [...this.#users].map(
        ([pin, u]) => `USER PIN=${pin}\tName=${u.name}\tPri=${u.pri}\tPasswd=\tCard=${u.card}\tGrp=1`,
      );
      if (lines.length === 0) return -1;
      await this.#fetch(`/iclock/cdata?SN=${this.#o.sn}&table=OPERLOG&Stamp=9999`, {
        method: 'POST',
        body: lines.join('\n'),
      });
      return 0;
    }
    return -1002;
  }
}
