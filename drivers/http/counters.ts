/** Most distinct counter names one terminal may create (codes and event types come from the terminal). */
const MAX_KEYS = 200;

/**
 * A terminal's counters by name (reads, door signals, unknown event codes, refusals…),
 * shown as its line counters on the devices page. Names partly come from the terminal (an
 * unknown code, an event type), so their number is capped: a terminal that invents names
 * cannot grow the gateway's memory; past the cap they add up under `other`.
 */
export class TerminalCounters {
  readonly #m = new Map<string, number>();

  /** Adds `n` to a counter; returns its new value. */
  count(name: string, n = 1): number {
    const clean = name.replace(/[^\w/.-]/g, '_').slice(0, 80);
    const key = this.#m.has(clean) || this.#m.size < MAX_KEYS ? clean : 'other';
    const v = (this.#m.get(key) ?? 0) + n;
    this.#m.set(key, v);
    return v;
  }

  /** One counter's value (0 when never counted). */
  get(name: string): number {
    return this.#m.get(name) ?? 0;
  }

  /** Every counter. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#m);
  }
}

/** Another part's counters (an HTTP client's, a stream's) under a prefix, for one stats map. */
export function prefixed(prefix: string, o: object): Record<string, number> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [`${prefix}_${k}`, v as number]));
}
