/**
 * Estimates how far a reader's clock is from the gateway's (design.md §5: "judge
 * staleness against each reader's observed clock offset").
 *
 * A sample is `receivedAt - readerTs`: clock offset plus transit delay. The smallest
 * recent sample is the best estimate (NTP's minimum filter): delays only ever add.
 * Samples come from live status messages (a reader announces itself with its clock) and
 * from live reads judged fresh — never from stale ones, or a backlog redelivered after a
 * restart would teach the tracker that old is new. A real clock step is still learned:
 * several stale reads whose arrival spacing matches their timestamp spacing are live
 * reads behind a moved clock, not a backlog (a backlog arrives in a burst).
 */
export class ClockOffset {
  readonly #samples: number[] = [];
  #fallback: number | null;
  #steps: Array<{ at: number; readerTs: number }> = [];

  static readonly WINDOW = 16;
  static readonly STEP_CONFIRMATIONS = 3;

  constructor(persisted: number | null = null) {
    this.#fallback = persisted;
  }

  /** Current estimate, ms to add to reader time to get gateway time; 0 when unknown. */
  get value(): number {
    if (this.#samples.length === 0) return this.#fallback ?? 0;
    let m = Number.POSITIVE_INFINITY;
    for (const s of this.#samples) if (s < m) m = s;
    return m;
  }

  /** True once any sample or persisted value exists. */
  get known(): boolean {
    return this.#samples.length > 0 || this.#fallback !== null;
  }

  /** A live status message: the reader's clock now. Resets the window. */
  fromStatus(receivedAt: number, readerTs: number): void {
    this.#samples.length = 0;
    this.#steps = [];
    this.#samples.push(receivedAt - readerTs);
  }

  /** A live read; `stale` is how it was judged with the current estimate. */
  fromRead(receivedAt: number, readerTs: number, stale: boolean): void {
    const sample = receivedAt - readerTs;
    if (!stale) {
      this.#steps = [];
      this.#samples.push(sample);
      if (this.#samples.length > ClockOffset.WINDOW) this.#samples.shift();
      return;
    }
    const prev = this.#steps.at(-1);
    if (prev) {
      const arrival = receivedAt - prev.at;
      const stamped = readerTs - prev.readerTs;
      // Live reads arrive as far apart as they were stamped; a backlog arrives at once.
      if (arrival < 2000 || Math.abs(arrival - stamped) > 1000) this.#steps = [];
    }
    this.#steps.push({ at: receivedAt, readerTs });
    if (this.#steps.length >= ClockOffset.STEP_CONFIRMATIONS) {
      this.#samples.length = 0;
      this.#samples.push(sample);
      this.#steps = [];
    }
  }

  /** Value worth persisting, if known. */
  get persistable(): number | null {
    return this.known ? this.value : null;
  }
}
