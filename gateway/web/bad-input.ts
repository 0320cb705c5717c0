import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Metrics } from '../metrics.js';
import { problem } from './problem.js';

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
  req.log.warn({ route, status, problem: message }, 'bad request');
  return reply.status(status).send(problem(status, message));
}
