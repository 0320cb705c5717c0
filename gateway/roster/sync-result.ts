import { type Static, Type as T } from '@sinclair/typebox';

/**
 * The outcome of one fingerprint library sync of one module (issue 3): counts only, never
 * who or which finger. The one declaration of its shape (issue 8): the sync fills it, the
 * device list carries it, the API sends it with an ISO time (web/schemas.ts) and the
 * dashboard reads that type. Imports TypeBox only, so the dashboard can type-check against it.
 */

/** Why a sync ran: the reader answered its probe, or a roster import was picked up. */
export const SyncTriggerSchema = T.Union([T.Literal('online'), T.Literal('roster')]);
/** Why a sync ran. */
export type SyncTrigger = Static<typeof SyncTriggerSchema>;

/** The JSON Schema of a sync's outcome, `at` in epoch ms. */
export const SyncResultSchema = T.Object({
  trigger: SyncTriggerSchema,
  at: T.Number({ description: 'When it ended, epoch ms' }),
  ms: T.Number({ description: 'How long it took' }),
  outcome: T.Union([T.Literal('ok'), T.Literal('partial'), T.Literal('failed'), T.Literal('skipped')], {
    description: 'ok; partial (some pages refused); failed (retried on the next trigger); skipped',
  }),
  expected: T.Integer({ description: 'Pages the roster wants on this module' }),
  orphans: T.Integer({ description: 'Drift found before acting: pages with no active resident' }),
  missing: T.Integer({ description: 'Drift found before acting: wanted pages absent' }),
  enrolled: T.Integer({ description: 'Missing pages written (DownChar + Store)' }),
  replaced: T.Integer({ description: "Pages written again because the roster's template changed" }),
  removed: T.Integer({ description: 'Orphan pages deleted (DeleteChar)' }),
  failed: T.Integer({
    description: 'Pages the module refused (a page beyond its capacity, a template it rejects)',
  }),
  noTemplate: T.Integer({
    description: 'Missing pages the roster has no template for: they cannot be enrolled from here',
  }),
  error: T.Optional(T.String({ description: 'Error code and message when failed or skipped' })),
});

/** The outcome of one sync of one module. */
export type SyncResult = Static<typeof SyncResultSchema>;
