/**
 * What a terminal remembers about door commands: when each live event went out, how often
 * it was answered, and how long the answer took. Tests assert on it ("answered at most
 * once", latency percentiles); the scenario sums it over terminals.
 */
import { performance } from 'node:perf_hooks';
import { CappedLog } from './capped-log.js';
import type { TerminalCommand } from './reader-protocol.js';

/** Latency samples kept (at least). */
const LATENCY_SAMPLES = 100_000;

/** Command counters of one terminal. */
export interface CommandCounts {
  commands: number;
  unlock: number;
  deny: number;
  /** Commands for an event that had already been answered. */
  duplicateCommands: number;
  /** Commands naming an event this terminal never sent live (or long forgotten). */
  unmatchedCommands: number;
  /** Payloads on the commands topic that are not door commands. */
  badCommands: number;
}

/** Per-event command bookkeeping of one terminal. */
export class CommandLedger {
  /** Live events: id → performance.now() at publish. */
  readonly #sent = new CappedLog<number>();
  readonly #answers = new CappedLog<number>();
  readonly #latencies: number[] = [];
  readonly #counts: CommandCounts = {
    commands: 0,
    unlock: 0,
    deny: 0,
    duplicateCommands: 0,
    unmatchedCommands: 0,
    badCommands: 0,
  };

  /** Notes that live event `id` is being published now (offline replays expect no answer). */
  sent(id: string): void {
    this.#sent.set(id, performance.now());
  }

  /** Records a command; returns its latency in ms, or null when it answers no live event of ours. */
  answer(cmd: TerminalCommand): number | null {
    const sentAt = this.#sent.get(cmd.event);
    const n = (this.#answers.get(cmd.event) ?? 0) + 1;
    this.#answers.set(cmd.event, n);
    this.#counts.commands++;
    this.#counts[cmd.action]++;
    if (n > 1) this.#counts.duplicateCommands++;
    if (sentAt === undefined) {
      this.#counts.unmatchedCommands++;
      return null;
    }
    const latency = performance.now() - sentAt;
    if (n === 1) {
      this.#latencies.push(latency);
      // Trim in halves: amortised O(1) where shift() per sample would copy 100k numbers.
      if (this.#latencies.length > 2 * LATENCY_SAMPLES) this.#latencies.splice(0, LATENCY_SAMPLES);
    }
    return latency;
  }

  /** Counts a payload on the commands topic that is not a command. */
  bad(): void {
    this.#counts.badCommands++;
  }

  /** Times event `id` was answered. */
  count(id: string): number {
    return this.#answers.get(id) ?? 0;
  }

  /** Latency of the first command of each live event, ms, oldest first; at least the last 100,000. */
  latencies(): number[] {
    return [...this.#latencies];
  }

  /** A copy of the counters. */
  counts(): CommandCounts {
    return { ...this.#counts };
  }
}
