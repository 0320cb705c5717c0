import { Type as T } from '@sinclair/typebox';
import { codesOf } from '../../core/codes.js';

/** JSON Schemas of the face-enrolment offers of the household file (issue 10 item 2). */

const NStr = T.Union([T.String(), T.Null()]);

/** One offer: a face learnt as a resident's card holder. Never the embedding; thumbnails by reference. */
export const FaceOffer = T.Object({
  faceId: T.Integer(),
  residentId: T.String(),
  /** The resident's name, masked (张**): the offer reads "probably 张** — enrol this face?". */
  name: T.String(),
  credential: T.String({ description: 'the card or fingerprint it came with, masked' }),
  days: T.Integer({ description: 'days it came with the credential' }),
  first: T.String({ format: 'date-time' }),
  last: T.String({ format: 'date-time' }),
  thumbs: T.Array(T.String(), { description: 'thumbnail references (/api/thumbs/…)' }),
  state: T.Union(codesOf('faceOfferState').map((c) => T.Literal(c))),
  stateLabel: T.String(),
  decidedBy: NStr,
  decidedAt: NStr,
});

/** The household file's side of the offers. */
export const HouseholdFaces = T.Object({ faceOffers: T.Array(FaceOffer) });

export const FaceOfferParams = T.Object(
  { id: T.String({ minLength: 1, maxLength: 64 }), faceId: T.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

export const FaceDecisionBody = T.Object(
  {
    decision: T.Union([T.Literal('enrol'), T.Literal('reject')], {
      description: 'enrol: the face is the resident’s; reject: it is not',
    }),
  },
  { additionalProperties: false },
);
