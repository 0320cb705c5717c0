import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LogLimiter } from '../log-limit.js';
import type { Metrics } from '../metrics.js';
import { problem } from './problem.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Rate-limited lines for what callers may repeat without end (web/server.ts sets it). */
    inputLog?: LogLimiter;
  }
}

/**
 * A warning that callers from outside can repeat without end (bad requests, refusals):
 * written through the server's log limiter, keyed by route and reason, so a scanner or a
 * broken client cannot flood journald (issue 12 item 6); the counters keep exact numbers.
 */
export function inputWarn(req: FastifyRequest, key: string, obj: Record<string, unknown>, msg: string): void {
  const limiter = req.server.inputLog;
  if (limiter) limiter.write('warn', key, { reqId: req.id, ...obj }, msg);
  else req.log.warn(obj, msg);
}

/**
 * Answers bad input: a 4xx with a message for people, a counter by route, a log line
 * (route and message only: request bodies may hold personal data and are never logged).
 */
export function rejectInput(
  metrics: Metrics,
  req: FastifyRequest,
  reply: FastifyReply,
  status: 400 | 404 | 409 | 413 | 429,
  message: string,
) {
  const route = req.routeOptions.url ?? 'unknown';
  metrics.badRequests.inc({ route, status: String(status) });
  inputWarn(req, `${route} ${status}`, { route, status, problem: message }, 'bad request');
  return reply.status(status).send(problem(status, message));
}
