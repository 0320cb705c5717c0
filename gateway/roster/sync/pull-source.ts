import { GatewayError } from '../../../core/errors.js';
import { pullSignature } from '../../../core/roster-message.js';
import { cappedText } from '../../capped-text.js';

/** What the HTTPS pull is built from. */
export interface PullOptions {
  /** https://…/roster: GET ?estate=…&since=N answers `{ "messages": [signed…] }`. */
  url: string;
  estateId: string;
  gatewayId: string;
  /** The HMAC key the request is signed with (secrets upstream.hmacKey), read per request. */
  hmacKey: () => string;
  /** Largest answer read; a longer one is cut off and refused. */
  maxBytes: number;
  timeoutMs: number;
}

/**
 * `GET since version N` at the district system (issue 14): the signed messages after N, a
 * snapshot first when the deltas no longer reach back that far. The answer is read up to
 * maxBytes and no further (nothing unbounded is buffered); each message is then verified by
 * the sync like one off MQTT, so the transport's integrity is not relied on.
 */
export class RosterPull {
  readonly #o: PullOptions;

  constructor(o: PullOptions) {
    this.#o = o;
  }

  /** The messages after `since`, as JSON texts, oldest first. Throws on a transport or format failure. */
  async since(since: number): Promise<string[]> {
    const u = new URL(this.#o.url);
    u.searchParams.set('estate', this.#o.estateId);
    u.searchParams.set('since', String(since));
    const res = await fetch(u, {
      headers: {
        accept: 'application/json',
        'x-estate-gateway': this.#o.gatewayId,
        'x-estate-signature': pullSignature(this.#o.hmacKey(), `${u.pathname}${u.search}`),
      },
      signal: AbortSignal.timeout(this.#o.timeoutMs),
    });
    if (!res.ok) {
      await res.body?.cancel();
      throw new GatewayError('PULL_FAILED', `roster pull answered HTTP ${res.status}`);
    }
    const max = this.#o.maxBytes;
    const text = await cappedText(
      res,
      max,
      (declared) =>
        new GatewayError(
          'PULL_TOO_LARGE',
          declared === null
            ? `roster pull answer over ${max} bytes`
            : `roster pull answer of ${declared} bytes, limit ${max}`,
        ),
    );
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new GatewayError('PULL_FAILED', 'roster pull answer is not JSON');
    }
    const messages = (body as { messages?: unknown })?.messages;
    if (!Array.isArray(messages))
      throw new GatewayError('PULL_FAILED', 'roster pull answer has no messages array');
    return messages.map((m) => JSON.stringify(m));
  }
}
