import type { Clock } from '../../core/clock.js';
import { type CloudEvent, cloudEvent } from '../../core/cloudevent.js';

/** What the health event needs: the gateway's id and source, a clock, and the summary of the moment. */
export interface HealthEventDeps {
  source: string;
  gatewayId: string;
  clock: Clock;
  /** HealthReport.summary(): sizes and rates, no personal data. */
  summary: () => Record<string, unknown>;
}

/**
 * The events the gateway itself sends upstream (not caused by a read): the health report
 * of the retained health message, `estate.gateway.health` (design.md §7). The upstream
 * calls it on start, on every reconnect and every health interval.
 */
export class UpstreamEvents {
  readonly #d: HealthEventDeps;

  constructor(deps: HealthEventDeps) {
    this.#d = deps;
  }

  /** A health event of now; its id is unique per send (the upstream keeps the latest). */
  health(): CloudEvent {
    const now = this.#d.clock.now();
    return cloudEvent(this.#d.source, {
      id: `health-${this.#d.gatewayId}-${now}`,
      type: 'estate.gateway.health',
      time: now,
      data: this.#d.summary(),
    });
  }
}
