import { Type as T } from '@sinclair/typebox';

/**
 * Configuration of the pattern detectors, visitor passes and the ledger (issue 4). Kept
 * beside schema.ts, which includes these three sections; the same TypeBox source builds
 * the JSON Schema and the type. Every threshold is in event time, not wall-clock time.
 */

const Days = (def: number, description: string) =>
  T.Integer({ minimum: 1, maximum: 366, default: def, description });

export const DetectorsSchema = T.Object(
  {
    enabled: T.Boolean({ default: true, description: 'Run the pattern detectors on every recorded entry.' }),
    holidays: T.Array(T.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}\\.\\.\\d{4}-\\d{2}-\\d{2}$' }), {
      default: [],
      maxItems: 200,
      description:
        'Guest seasons of this estate besides the public holidays and the summer (YYYY-MM-DD..YYYY-MM-DD): guests using a family’s card are not taken for lending (credentialShared.guestDays).',
    }),
    leaseholderAbsent: T.Object(
      {
        days: Days(30, 'Working days of the home door without a verified entry before leaseholder_absent.'),
        who: T.Union([T.Literal('leaseholder'), T.Literal('any_member')], {
          default: 'leaseholder',
          description:
            'Whose verified entries count as presence: the leaseholder only, or any registered member.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    strangerRecurrent: T.Object(
      {
        count: T.Integer({
          minimum: 2,
          default: 10,
          description: 'Sightings of one unregistered person at one door…',
        }),
        days: Days(7, '…within this many days raise stranger_recurrent (NVR "10 times in 7 days").'),
        similarity: T.Number({
          minimum: 0.5,
          maximum: 0.999,
          default: 0.8,
          description: 'Cosine similarity at or above which two face embeddings are the same person.',
        }),
        clusterTtlDays: Days(
          30,
          'An unregistered face not seen for this long is forgotten (privacy, memory).',
        ),
        maxClusters: T.Integer({
          minimum: 100,
          maximum: 200000,
          default: 20000,
          description: 'Most unregistered faces kept; past this the least recently seen is forgotten.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    credentialShared: T.Object(
      {
        pairWindowMs: T.Integer({
          minimum: 200,
          maximum: 30000,
          default: 6000,
          description:
            'A face captured at the same reader up to this long after a card or fingerprint read may be the person who presented it (captures arrive 1–5 s after the swipe).',
        }),
        pairBeforeMs: T.Integer({
          minimum: 0,
          maximum: 30000,
          default: 7000,
          description:
            'A face captured up to this long before the swipe may be its holder too: a face that failed and then swiped its own card is the card’s owner.',
        }),
        denseDays: Days(
          7,
          'A foreign face counts as using the credential when it did so on minDays days within this many days (a relative minding the flat every few days is not lending it).',
        ),
        learnDays: Days(
          14,
          'Days after a credential’s first use in which the face that regularly comes with it is learnt as its holder (card-only residents).',
        ),
        holderDays: T.Integer({
          minimum: 2,
          maximum: 60,
          default: 3,
          description: 'Days a face must come with a credential before it is taken for its holder.',
        }),
        guestDays: T.Integer({
          minimum: 0,
          maximum: 60,
          default: 14,
          description:
            'A foreign face first seen in a guest season (public holidays, summer) counts only once it has been coming this long: guests stay days, not weeks. 0: no seasons.',
        }),
        suggestDays: Days(
          14,
          'Days a learnt holder face must have come with a resident’s card before the household file offers to enrol it.',
        ),
        windowDays: Days(30, 'Days of history weighed.'),
        minDays: T.Integer({
          minimum: 1,
          default: 3,
          description:
            'Days on which one foreign face used a resident’s credential before credential_shared.',
        }),
        distinctFaces: T.Integer({
          minimum: 2,
          default: 3,
          description:
            'Distinct foreign faces (each on 2 days or more) on one credential before credential_shared.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    overcrowding: T.Object(
      {
        windowDays: Days(30, 'Days over which persons tied to a household are counted.'),
        margin: T.Integer({
          minimum: 0,
          default: 2,
          description: 'overcrowding when tied persons exceed the registered size plus this.',
        }),
        minDays: T.Integer({
          minimum: 1,
          default: 3,
          description: 'Days a foreign person must use the household’s credentials to count as tied to it.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    suspectedSublet: T.Object(
      {
        absentDays: Days(5, 'Working days without the leaseholder before others using the home count.'),
        who: T.Union([T.Literal('leaseholder'), T.Literal('any_member')], {
          default: 'any_member',
          description:
            'Whose absence counts: any_member (nobody registered is seen: the home was handed over) or the leaseholder alone.',
        }),
        minDays: T.Integer({
          minimum: 1,
          default: 3,
          description: 'Days with foreign use of the household’s credentials during the absence.',
        }),
        passRepeats: T.Integer({
          minimum: 2,
          default: 4,
          description:
            'Separate passes for one visitor to the household, within passWindowDays, that count as living there.',
        }),
        passWindowDays: Days(60, 'Window of passRepeats.'),
        density: T.Number({
          minimum: 0,
          maximum: 1,
          default: 0.35,
          description:
            'Share of the last 14 days on which the others must come and go to be living there (a house sitter comes every few days).',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'Pattern detectors (issue 4, docs/detectors.md).',
  },
);

export const PassesSchema = T.Object(
  {
    faceSimilarity: T.Number({
      minimum: 0.5,
      maximum: 0.999,
      default: 0.8,
      description: 'Cosine similarity at or above which a face matches a pass’s face embedding.',
    }),
    maxValidityDays: Days(366, 'Longest validity window a pass may have.'),
  },
  { additionalProperties: false, default: {}, description: 'Visitor, courier and staff passes.' },
);

export const LedgerSchema = T.Object(
  {
    overdueCheckSeconds: T.Integer({
      minimum: 5,
      default: 60,
      description: 'How often rectification deadlines are checked; a passed deadline makes the case overdue.',
    }),
    handoverImages: T.Boolean({
      default: false,
      description:
        'Embed thumbnails (base64) in the enforcement hand-over package instead of references. Off: face data stays on the box.',
    }),
    revisitDays: Days(3, 'A full-inspection visit that found nobody home is due again after this many days.'),
    photos: T.Object(
      {
        maxUploadMB: T.Number({
          minimum: 0.5,
          maximum: 50,
          default: 15,
          description:
            'Largest photo or document an upload may carry (a phone photo is 3–8 MB); larger ones are refused while they are read.',
        }),
        maxPx: T.Integer({
          minimum: 640,
          maximum: 4096,
          default: 2048,
          description:
            'Longest side of a stored photo (re-encoded; every metadata block, EXIF and GPS included, is dropped).',
        }),
        thumbPx: T.Integer({
          minimum: 64,
          maximum: 640,
          default: 320,
          description: 'Longest side of its thumbnail.',
        }),
        quality: T.Integer({
          minimum: 40,
          maximum: 100,
          default: 82,
          description: 'JPEG quality of stored photos.',
        }),
        concurrent: T.Integer({
          minimum: 1,
          maximum: 8,
          default: 2,
          description:
            'Uploads decoded at once; more are refused (429) before their body is read, so memory stays bounded.',
        }),
      },
      {
        additionalProperties: false,
        default: {},
        description: 'Patrol, inspection and listing photos and enforcement documents (issue 16).',
      },
    ),
  },
  { additionalProperties: false, default: {}, description: 'The violation ledger (台账).' },
);
