/** A session of a ReconnectGroup, as the group sees it. */
export interface GroupMember {
  /**
   * The broker is back: if this member is waiting out a backoff after failing to reach
   * it, it forgets its failures and tries again after `delayMs`. True if it will.
   */
  wake(delayMs: number): boolean;
}

/** Longest spread of the woken members' attempts, ms: 200 CONNECTs a second suit a LAN broker. */
const MAX_SPREAD_MS = 1000;
/** Spread per member, ms. */
const SPREAD_PER_MEMBER_MS = 5;

/**
 * The sessions one gateway keeps at one broker (one per reader): when one of them gets
 * through after the broker was unreachable, the broker is back for all of them, so every
 * member still waiting out its backoff tries again now, spread over a short window
 * instead of each sleeping out a delay that grew through the outage (issue 12 item 2:
 * after a 10 s outage the last of 213 sessions came back at +26.4 s). The spread keeps
 * the woken sessions from arriving in one burst.
 */
export class ReconnectGroup {
  readonly #members = new Set<GroupMember>();
  readonly #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  /** Adds a member. */
  join(m: GroupMember): void {
    this.#members.add(m);
  }

  /** Removes a member (stopped). */
  leave(m: GroupMember): void {
    this.#members.delete(m);
  }

  /** `from` reached the broker after it had been unreachable; returns how many others were woken. */
  back(from: GroupMember): number {
    const spread = Math.min(MAX_SPREAD_MS, SPREAD_PER_MEMBER_MS * this.#members.size);
    let woken = 0;
    for (const m of this.#members) if (m !== from && m.wake(Math.round(this.#random() * spread))) woken++;
    return woken;
  }
}
