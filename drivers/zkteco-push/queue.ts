import { GatewayError } from '../../core/errors.js';
import type { CommandResult } from './commands.js';

interface Queued {
  id: number;
  text: string;
  resolve: (r: CommandResult) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** What a queue is made with (per terminal). */
export interface CommandQueueOptions {
  maxCommands: number;
  maxBytes: number;
  timeoutMs: number;
  /** A command id unique for this gateway (the driver's counter). */
  nextId: () => number;
  /** For timeout messages. */
  readerId: string;
}

/**
 * One terminal's commands (protocols.md §4): queued until it polls /iclock/getrequest, handed
 * out as `C:<id>:<cmd>` lines (a poll takes as many as fit, at least one), then matched to
 * the result the terminal posts to /iclock/devicecmd by id. A command is never handed out
 * twice; one without a result within `timeoutMs` of being queued fails with TIMEOUT.
 */
export class CommandQueue {
  readonly #o: CommandQueueOptions;
  readonly #waiting: Queued[] = [];
  readonly #sent = new Map<number, Queued>();

  constructor(o: CommandQueueOptions) {
    this.#o = o;
  }

  /** Commands not yet handed out. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Commands handed out, their results not yet in. */
  get inFlight(): number {
    return this.#sent.size;
  }

  /** Queues a command; resolves with its result. */
  push(text: string): Promise<CommandResult> {
    return new Promise<CommandResult>((resolve, reject) => {
      const id = this.#o.nextId();
      const timer = setTimeout(() => {
        this.#drop(id);
        reject(
          new GatewayError(
            'TIMEOUT',
            `reader ${this.#o.readerId} gave no result for command ${id} within ${this.#o.timeoutMs} ms`,
          ),
        );
      }, this.#o.timeoutMs);
      this.#waiting.push({ id, text, resolve, reject, timer });
    });
  }

  /** The lines of one poll's answer (empty when idle). */
  take(): string[] {
    const lines: string[] = [];
    let bytes = 0;
    while (this.#waiting.length > 0 && lines.length < this.#o.maxCommands) {
      const c = this.#waiting[0] as Queued;
      const line = `C:${c.id}:${c.text}`;
      // One command alone may pass the byte budget (a large photo); two may not.
      if (lines.length > 0 && bytes + line.length > this.#o.maxBytes) break;
      this.#waiting.shift();
      this.#sent.set(c.id, c);
      lines.push(line);
      bytes += line.length + 1;
    }
    return lines;
  }

  /** A result from the terminal: true when it answered a command in flight. */
  result(r: CommandResult): boolean {
    const c = this.#sent.get(r.id);
    if (!c) return false;
    this.#sent.delete(r.id);
    clearTimeout(c.timer);
    c.resolve(r);
    return true;
  }

  /** Fails every command, waiting or in flight (the terminal went away, the gateway stops). */
  failAll(err: Error): void {
    for (const c of [...this.#waiting.splice(0), ...this.#sent.values()]) {
      clearTimeout(c.timer);
      c.reject(err);
    }
    this.#sent.clear();
  }

  #drop(id: number): void {
    this.#sent.delete(id);
    const i = this.#waiting.findIndex((c) => c.id === id);
    if (i >= 0) this.#waiting.splice(i, 1);
  }
}
