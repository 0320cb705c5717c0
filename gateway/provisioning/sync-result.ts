import { type Static, Type as T } from '@sinclair/typebox';

/**
 * The outcome of one library sync of one reader (a fingerprint module's pages, a face
 * terminal's persons): counts only, never who or which finger. The one declaration of its shape (issue 8): the sync fills it, the
 * device list carries it, the API sends it with an ISO time (web/schemas.ts) and the
 * dashboard reads that type. Imports TypeBox only, so the dashboard can type-check against it.
 */

/**
 * Why a sync ran: the reader answered its probe or came online, a roster import was picked
 * up, a pass was issued or revoked, a validity ended or began, or the daily reconcile.
 */
export const SyncTriggerSchema = T.Union([
  T.Literal('online'),
  T.Literal('roster'),
  T.Literal('pass'),
  T.Literal('expiry'),
  T.Literal('daily'),
]);
/** Why a sync ran. */
export type SyncTrigger = Static<typeof SyncTriggerSchema>;

/** The JSON Schema of a sync's outcome, `at` in epoch ms. */
export const SyncResultSchema = T.Object({
  trigger: SyncTriggerSchema,
  at: T.Number({ description: 'When it ended, epoch ms' }),
  ms: T.Number({ description: 'How long it took' }),
  outcome: T.Union([T.Literal('ok'), T.Literal('partial'), T.Literal('failed'), T.Literal('skipped')], {
    description:
      'ok; partial (some entries refused); failed (retried on the next trigger); skipped (no roster, reader offline, or cut short by a newer change that the next run takes up)',
  }),
  expected: T.Integer({ description: 'Entries the roster wants on this reader' }),
  orphans: T.Integer({ description: 'Drift found before acting: entries with no active resident' }),
  missing: T.Integer({ description: 'Drift found before acting: wanted entries absent' }),
  enrolled: T.Integer({ description: 'Missing entries written' }),
  replaced: T.Integer({ description: "Entries written again because the roster's entry changed" }),
  removed: T.Integer({ description: 'Orphan entries deleted' }),
  failed: T.Integer({
    description: 'Entries the device refused (a page beyond its capacity, a template or photo it rejects)',
  }),
  noTemplate: T.Integer({
    description: 'Missing entries the roster has nothing to write for (no template, no photo)',
  }),
  error: T.Optional(T.String({ description: 'Error code and message when failed or skipped' })),
});

/** The outcome of one sync of one module. */
export type SyncResult = Static<typeof SyncResultSchema>;
