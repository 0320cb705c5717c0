/**
 * One error class for the whole gateway: a stable machine-readable code plus context.
 * Codes are what counters and logs key on; messages are for people.
 */
export class GatewayError extends Error {
  readonly code: string;
  readonly context: Record<string, unknown>;

  constructor(code: string, message: string, context: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GatewayError';
    this.code = code;
    this.context = context;
  }
}

/** True when `err` is a GatewayError with the given code. */
export function hasCode(err: unknown, code: string): boolean {
  return err instanceof GatewayError && err.code === code;
}
