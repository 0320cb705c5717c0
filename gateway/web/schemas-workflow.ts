import { Type as T } from '@sinclair/typebox';
import { CASE_KINDS, codesOf } from '../../core/codes.js';

/**
 * JSON Schemas of the rest of the notice's workflow (issue 16): uploaded photos and
 * documents, agency and online-listing patrols with their household suggestions, the
 * enforcement office's feedback, tips with the tipster's contact and rewards. Like every
 * schema module here it imports TypeBox and core/ only: the dashboard reads their types.
 */

const Lit = <C extends string>(xs: readonly C[]) => T.Union(xs.map((x) => T.Literal(x)));
const NStr = T.Union([T.String(), T.Null()]);
const NInt = T.Union([T.Integer(), T.Null()]);
const Ref = T.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });

/** An uploaded file's id: gateway/ledger/evidence-files.ts EVIDENCE_ID (a unit test keeps them equal). */
export const EVIDENCE_ID_PATTERN = '^ev-[0-9a-hjkmnp-tv-z]{20}$';
/** An uploaded file's id, as a request names it. */
export const EvidenceId = T.String({ pattern: EVIDENCE_ID_PATTERN, description: 'from POST /api/evidence' });
/** Photos a record takes at most. */
export const MAX_PHOTOS = 6;
/** The photos of a patrol or a visit, by id. */
export const PhotoIds = T.Array(EvidenceId, { maxItems: MAX_PHOTOS, uniqueItems: true });

/** An uploaded photo or document as the API shows it: its id, what it is, where to see it. */
export const EvidenceFile = T.Object({
  id: T.String(),
  kind: T.String({ description: 'photo | document' }),
  mime: T.String(),
  width: NInt,
  height: NInt,
  bytes: T.Integer(),
  sha256: T.String({ description: 'of the stored file (what the hand-over refers to)' }),
  url: T.String(),
  thumbUrl: NStr,
  createdBy: T.String(),
  createdAt: T.String(),
});

/** A photo as a patrol, visit or case lists it. */
export const EvidenceLink = T.Object({
  id: T.String(),
  kind: T.String(),
  url: T.String(),
  thumbUrl: NStr,
});

/** GET /api/evidence/:id and its thumbnail: the bytes. */
export const EvidenceBytes = T.Unsafe<unknown>({
  type: 'string',
  contentMediaType: 'image/jpeg',
  description:
    'the stored photo (JPEG or PNG, re-encoded, no metadata), its JPEG thumbnail, or a PDF download',
});

/** The upload's form: one file part, named anything; its name and type are ignored. */
export const UploadNote = 'multipart/form-data with one file part (JPEG, PNG or PDF)';

/** What a patrol of an estate agency (经纪门店) records about it. */
export const AgencyTarget = T.Object(
  {
    kind: T.Literal('agency'),
    name: T.String({ minLength: 1, maxLength: 100 }),
    address: T.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

/** What a patrol of an online listing (网络房源) records about it. */
export const ListingTarget = T.Object(
  {
    kind: T.Literal('listing'),
    platform: Lit(codesOf('listingPlatform')),
    url: T.String({ minLength: 1, maxLength: 500, pattern: '^https?://', description: 'http(s) only' }),
    listingId: T.Optional(T.String({ minLength: 1, maxLength: 64 })),
    price: T.Optional(T.Integer({ minimum: 0, maximum: 1_000_000, description: 'yuan a month' })),
    text: T.Optional(
      T.String({
        maxLength: 2000,
        description: 'the listing’s title and text, as copied (households are suggested from it)',
      }),
    ),
  },
  { additionalProperties: false },
);

/** An agency or a listing; a household patrol has none. */
export const PatrolTargetBody = T.Union([AgencyTarget, ListingTarget]);

/** A patrol's target as the lists show it. */
export const PatrolTargetView = T.Object({
  kind: T.String(),
  name: NStr,
  address: NStr,
  platform: NStr,
  url: NStr,
  listingId: NStr,
  price: NInt,
  text: NStr,
});

/** GET /api/patrols/suggestions: the listing's words. */
export const SuggestQuery = T.Object(
  {
    text: T.String({ minLength: 1, maxLength: 2000 }),
    limit: T.Integer({ minimum: 1, maximum: 20, default: 5 }),
  },
  { additionalProperties: false },
);

/** Households the words of a listing may be about, best first, with why. */
export const SuggestReply = T.Object({
  items: T.Array(
    T.Object({
      householdId: T.String(),
      buildingId: T.String(),
      buildingName: NStr,
      room: T.String(),
      score: T.Number(),
      why: T.Array(T.String({ description: 'the words that matched: 3号楼, 502室…' })),
    }),
  ),
});

/** POST /api/patrols/:id/household: the household a listing or agency finding is about. */
export const LinkBody = T.Object({ householdId: Ref }, { additionalProperties: false });

/** What linking answered: the patrol and the case that now name the household. */
export const LinkReply = T.Object({ id: T.String(), householdId: T.String(), caseId: NStr });

/** POST /api/cases/:id/feedback: what the enforcement office reported back. */
export const FeedbackBody = T.Object(
  {
    receivedDate: T.String({ format: 'date', description: 'YYYY-MM-DD the result came' }),
    officeRef: T.String({ minLength: 1, maxLength: 64, description: 'the office’s reference number (文号)' }),
    result: Lit(codesOf('enforcementResult')),
    note: T.String({ minLength: 1, maxLength: 2000 }),
    document: T.Optional(EvidenceId),
  },
  { additionalProperties: false },
);

/** A case's hand-over and the feedback on it, as the case page shows it. */
export const Enforcement = T.Object({
  district: NStr,
  districtLabel: NStr,
  crossDistrict: T.Boolean(),
  office: NStr,
  handedAt: NStr,
  receivedDate: NStr,
  officeRef: NStr,
  result: NStr,
  resultLabel: NStr,
  note: NStr,
  document: T.Union([EvidenceLink, T.Null()]),
  recordedBy: NStr,
  recordedAt: NStr,
});

/** The tipster, as the tip form takes them: at least one of the two when given. */
export const Tipster = T.Object(
  {
    name: T.Optional(T.String({ minLength: 1, maxLength: 32 })),
    phone: T.Optional(T.String({ minLength: 5, maxLength: 20, pattern: '^[0-9+() -]+$' })),
  },
  { additionalProperties: false },
);

export const TipsQuery = T.Object(
  {
    month: T.Optional(T.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' })),
    reward: T.Optional(Lit([...codesOf('rewardState'), 'none'])),
    household: T.Optional(Ref),
    before: T.Optional(Ref),
    limit: T.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);

/** A reward of a tip. */
export const Reward = T.Object({
  kind: T.String(),
  kindLabel: T.String(),
  amountYuan: T.Union([T.Number(), T.Null()]),
  note: NStr,
  state: T.String(),
  stateLabel: T.String(),
  proposedBy: T.String(),
  proposedAt: T.String(),
  decidedBy: NStr,
  decidedAt: NStr,
  decisionNote: NStr,
});

/** A tip as the tips page lists it: the contact masked for all but admins, the words for operators. */
export const Tip = T.Object({
  id: T.String(),
  receivedAt: T.String(),
  channel: T.String(),
  householdId: NStr,
  buildingId: NStr,
  kind: T.String(),
  content: T.String(),
  caseId: NStr,
  caseState: NStr,
  substantiated: T.Boolean({
    description: 'its case was verified and acted on, and not found unsubstantiated',
  }),
  contact: T.Object({
    name: NStr,
    phone: NStr,
    masked: T.Boolean({ description: 'false for admins only' }),
    removed: T.Boolean({ description: 'removed by retention' }),
  }),
  reward: T.Union([Reward, T.Null()]),
});

export const TipsReply = T.Object({ items: T.Array(Tip), next: NStr });

/** POST /api/tips/:id/reward: an operator proposes a reward for a tip that proved true. */
export const RewardBody = T.Object(
  {
    kind: Lit(codesOf('rewardKind')),
    amountYuan: T.Optional(T.Number({ minimum: 0.01, maximum: 100_000, multipleOf: 0.01 })),
    note: T.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);

/** POST /api/tips/:id/reward/decision: an admin approves or rejects it. */
export const DecisionBody = T.Object(
  {
    decision: T.Union([T.Literal('approved'), T.Literal('rejected')]),
    note: T.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);

/** The case kinds a patrol of a listing or agency may open. */
export const ListingViolation = Lit(CASE_KINDS);
