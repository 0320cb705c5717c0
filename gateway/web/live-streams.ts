import type { Principal } from './auth.js';

/** One open live stream: who it is for, and how to end it. */
interface Stream {
  user: string | null;
  idHash: string | null;
  close: () => void;
}

/**
 * The open `/api/live` streams and whose they are (issue 9 item 8). A stream lives as
 * long as its session: logout ends the session's streams, a disabled account or a changed
 * password ends every stream of the user, at once. What the process cannot see (an
 * account disabled from the command line, a session expired) the stream's heartbeat finds.
 */
export class LiveStreams {
  readonly #open = new Set<Stream>();

  /** Open streams now. */
  get size(): number {
    return this.#open.size;
  }

  /** Registers a stream; returns its unregister (call it when the stream closes). */
  add(p: Principal, close: () => void): () => void {
    const s: Stream = {
      user: p.kind === 'user' ? p.name.toLowerCase() : null,
      idHash: p.session?.idHash ?? null,
      close,
    };
    this.#open.add(s);
    return () => this.#open.delete(s);
  }

  /** Ends the streams of one session (logout). */
  endSession(idHash: string): number {
    return this.#end((s) => s.idHash === idHash);
  }

  /** Ends every stream of a user (account disabled, password changed). */
  endUser(name: string): number {
    const n = name.toLowerCase();
    return this.#end((s) => s.user === n);
  }

  #end(match: (s: Stream) => boolean): number {
    let n = 0;
    for (const s of [...this.#open])
      if (match(s)) {
        this.#open.delete(s);
        s.close();
        n++;
      }
    return n;
  }
}
