import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../core/errors.js';
import { rejectInput } from './bad-input.js';
import type { Web } from './context.js';

/** Refusals that are about the state of things, not the input: 409. */
const CONFLICTS = new Set([
  'CAMPAIGN_CLOSED',
  'FEEDBACK_EXISTS',
  'FEEDBACK_STATE',
  'REWARD_EXISTS',
  'REWARD_STATE',
  'FOUR_EYES',
  'NOT_SUBSTANTIATED',
]);

/**
 * Answers a GatewayError of the ledger's workflow (issue 16) as the API's bad input: 404 for
 * NOT_FOUND, 409 for a state that refuses the request, 400 for what is wrong with the input
 * (codes BAD_*), each counted and logged by rejectInput; when `audit` is given, the refusal is
 * also an audit row. Anything else is thrown on (a 500, logged by the server).
 */
export function answerRefusal(
  w: Web,
  req: FastifyRequest,
  reply: FastifyReply,
  err: unknown,
  audit?: { action: string; target?: string | null; caseId?: string | null; householdId?: string | null },
) {
  if (!(err instanceof GatewayError)) throw err;
  const status =
    err.code === 'NOT_FOUND' ? 404 : CONFLICTS.has(err.code) ? 409 : err.code.startsWith('BAD_') ? 400 : 0;
  if (status === 0) throw err;
  if (audit) w.audit(req, { ...audit, outcome: 'refused', detail: { code: err.code, status } });
  return rejectInput(w.d.metrics, req, reply, status as 400 | 404 | 409, err.message);
}
