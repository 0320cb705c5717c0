import type { Drift, EntryOutcome, LibraryEntry, Provisioner } from '../../core/provisioning.js';
import type { VendorTerminalBase, VendorTerminalOptions } from './vendor-terminal.js';

/** A vendor terminal whose library the gateway writes, paced by `writeGapMs`. */
export type WritableTerminal = VendorTerminalBase<VendorTerminalOptions & { writeGapMs: number }>;

/**
 * What the Hikvision and Dahua face libraries share (core/provisioning.ts): the terminals
 * by reader id, the abort when the gateway stops, readiness from each terminal's session,
 * and writes paced per terminal — a terminal modelling a face refuses or drops what comes
 * too fast. Each vendor's subclass says how drift, put and remove speak its protocol.
 */
export abstract class VendorProvisioner<T extends WritableTerminal> implements Provisioner {
  readonly kind = 'face' as const;
  protected readonly terminal: (readerId: string) => T;
  readonly #all: () => Iterable<T>;
  readonly #lastWrite = new Map<string, number>();

  constructor(terminal: (readerId: string) => T, all: () => Iterable<T>) {
    this.terminal = terminal;
    this.#all = all;
  }

  abstract drift(readerId: string, expected: readonly string[]): Promise<Drift>;
  abstract put(readerId: string, entry: LibraryEntry): Promise<EntryOutcome>;
  abstract remove(readerId: string, key: string): Promise<EntryOutcome>;

  /** The gateway is stopping: requests waiting on a terminal fail now with STOPPING (core/provisioning.ts). */
  abort(): void {
    for (const t of this.#all()) t.http.abort();
  }

  onReady(listener: (readerId: string) => void): () => void {
    const offs = [...this.#all()].map((t) => t.session.onReady(listener));
    return () => {
      for (const off of offs) off();
    };
  }

  /** Runs one write to `t` at least `writeGapMs` after the end of the one before it. */
  protected async paced<R>(t: T, write: () => Promise<R>): Promise<R> {
    const gap = t.options.writeGapMs - (Date.now() - (this.#lastWrite.get(t.readerId) ?? 0));
    if (gap > 0) await new Promise((resolve) => setTimeout(resolve, gap));
    try {
      return await write();
    } finally {
      this.#lastWrite.set(t.readerId, Date.now());
    }
  }
}
