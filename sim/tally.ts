/**
 * The simulation's tally: what was presented, by whom, and how the gateway answered —
 * the numbers the demo shows and the tests assert ("strangers are never let in").
 */
import { CappedLog } from './capped-log.js';
import type { MoveCredential } from './day-plan.js';
import type { FaceTerminal } from './face-terminal.js';
import type { TerminalCommand } from './reader-protocol.js';
import type { SimPersonKind } from './types.js';

/** Latency samples per terminal in a snapshot: enough for a p99, cheap enough to sort each call. */
const LATENCY_WINDOW = 10_000;

/** Counts by person kind. */
export interface KindStats {
  /** Reads presented by people of this kind. */
  presented: number;
  /** Door commands answering them, by action. */
  unlock: number;
  deny: number;
}

/** What the simulation has done so far. */
export interface SimulationStats {
  /** Simulated now, epoch ms. */
  simTime: number;
  presented: number;
  /** Planned reads dropped because the real-rate bound held them back too long. */
  skipped: number;
  /** Planned reads due but held back by the real-rate bound. */
  backlog: number;
  commands: { unlock: number; deny: number };
  byKind: Record<SimPersonKind, KindStats>;
  byCredential: Record<MoveCredential, number>;
  terminals: { total: number; connected: number; buffered: number };
  /** Read-to-command latency over the latest answers of all terminals, ms; null before the first. */
  latencyMs: { n: number; p50: number; p99: number; max: number } | null;
}

/** Counters of one simulation run. */
export class Tally {
  /** Kind of the person behind each recent event, keyed by reader and event id. */
  readonly #kindOf = new CappedLog<SimPersonKind>();
  #presented = 0;
  #skipped = 0;
  readonly #commands = { unlock: 0, deny: 0 };
  readonly #byKind: Record<SimPersonKind, KindStats> = {
    resident: { presented: 0, unlock: 0, deny: 0 },
    moved_out: { presented: 0, unlock: 0, deny: 0 },
    stranger: { presented: 0, unlock: 0, deny: 0 },
  };
  readonly #byCredential: Record<MoveCredential, number> = { face: 0, card: 0, idcard: 0 };

  /** A read was presented. */
  presented(readerId: string, eventId: string, kind: SimPersonKind, cred: MoveCredential): void {
    this.#kindOf.set(`${readerId}\u0000${eventId}`, kind);
    this.#presented++;
    this.#byKind[kind].presented++;
    this.#byCredential[cred]++;
  }

  /** A planned read was dropped by the rate bound. */
  skipped(): void {
    this.#skipped++;
  }

  /** A door command arrived at a terminal. */
  command(readerId: string, cmd: TerminalCommand): void {
    this.#commands[cmd.action]++;
    const kind = this.#kindOf.get(`${readerId}\u0000${cmd.event}`);
    if (kind) this.#byKind[kind][cmd.action]++;
  }

  /** The counters, with the terminals' state and latency. */
  snapshot(simTime: number, backlog: number, terminals: readonly FaceTerminal[]): SimulationStats {
    const lat = terminals.flatMap((t) => t.latencies().slice(-LATENCY_WINDOW)).sort((a, b) => a - b);
    const q = (f: number) => lat[Math.min(lat.length - 1, Math.floor(f * lat.length))] ?? 0;
    return {
      simTime,
      presented: this.#presented,
      skipped: this.#skipped,
      backlog,
      commands: { ...this.#commands },
      byKind: structuredClone(this.#byKind),
      byCredential: { ...this.#byCredential },
      terminals: {
        total: terminals.length,
        connected: terminals.filter((t) => t.connected).length,
        buffered: terminals.reduce((n, t) => n + t.bufferedCount, 0),
      },
      latencyMs: lat.length === 0 ? null : { n: lat.length, p50: q(0.5), p99: q(0.99), max: q(1) },
    };
  }
}
