import type { Credential } from '../core/contracts.js';

/**
 * What `estate-gateway decode` prints for the protocols it reads through their drivers'
 * own parsers (issue 11, face terminals): one JSON object a record, an event, or
 * `{ error, reason, … }`.
 */
export type Described = Record<string, unknown>;

/** A credential as a decoded line shows it: its type and its object (`{type:'card', card:{uid}}`, as v1 writes it). */
export function credentialOut(c: Credential): Described {
  const { type, ...rest } = c;
  return { type, [type]: rest };
}
