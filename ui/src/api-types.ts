import type { Static } from '@sinclair/typebox';
import type * as L from '../../gateway/web/ledger-schemas.js';
import type * as S from '../../gateway/web/schemas.js';
import type * as A from '../../gateway/web/schemas-accounts.js';
import type * as C from '../../gateway/web/schemas-campaigns.js';
import type * as DS from '../../gateway/web/schemas-doors.js';
import type * as H from '../../gateway/web/schemas-households.js';
import type * as D from '../../gateway/web/schemas-status.js';
import type * as W from '../../gateway/web/schemas-workflow.js';

/**
 * What the API sends, as the dashboard reads it: the `Static<>` types of the response schemas
 * the server's routes serialize with (issue 8), imported type-only, so nothing of the server
 * reaches the browser and a field the server stops sending fails the dashboard's type check.
 */

/** GET /api/session, and POST /api/session/password. */
export type SessionInfo = Static<typeof A.SessionReply>;
/** An access record: /api/events, /api/live, the household file. */
export type Entry = Static<typeof S.Entry>;
/** An alert with the entries it cites: /api/alerts, /api/alerts/:id. */
export type Alert = Static<typeof S.Alert>;
/** GET /api/overview. */
export type Overview = Static<typeof A.OverviewReply>;
/** A reader with its state: GET /api/readers. */
export type Reader = Static<typeof D.Reader>;
/** GET /healthz. */
export type Health = Static<typeof D.Health>;
/** GET /healthz with a session (what the dashboard gets): every part. */
export type HealthDetail = Static<typeof D.HealthDetail>;
/** The last fingerprint library sync of a module, as a reader carries it. */
export type FingerprintSync = Static<typeof D.FingerprintSync>;
/** A door: GET /api/doors. */
export type Door = Static<typeof D.Door>;
/** GET /api/config. */
export type ConfigReply = Static<typeof D.ConfigReply>;
/** GET /api/households. */
export type HouseholdSearch = Static<typeof H.HouseholdSearchReply>;
/** One household of the search list. */
export type HouseholdHit = Static<typeof H.HouseholdHit>;
/** GET /api/households/:id: the household file (一户一档). */
export type HouseholdFile = Static<typeof H.HouseholdFile>;
/** A ledger case: /api/cases and the household file. */
export type Case = Static<typeof L.Case>;
/** A case with its timeline and the moves its state allows: /api/cases/:id. */
export type CaseDetail = Static<typeof L.CaseDetail>;
/** GET /api/cases/stats. */
export type CaseStats = Static<typeof L.CaseStats>;
/** A visitor, courier or staff pass (masked for viewers). */
export type Pass = Static<typeof L.Pass>;
/** A patrol visit (巡查) as the household file lists it. */
export type Patrol = Static<typeof L.Patrol>;
/** What creating a patrol or a tip answers. */
export type Created = Static<typeof L.Created>;
/** GET /api/reports/monthly. */
export type MonthlyReport = Static<typeof L.MonthlyReport>;
/** A dashboard account: /api/users. */
export type User = Static<typeof A.User>;
/** A new account or a reset password (shown once). */
export type UserWithPassword = Static<typeof A.UserWithPassword>;
/** One row of the audit log: GET /api/audit. */
export type AuditItem = Static<typeof A.AuditItem>;
/** A page of the audit log. */
export type AuditReply = Static<typeof A.AuditReply>;
/** A door's live state: GET /api/doors/state and the live stream's "door" events (issue 13). */
export type DoorState = Static<typeof DS.DoorState>;
/** The fire all-open: GET /api/doors/state, POST /api/fire and the live stream's "fire" events. */
export type FireState = Static<typeof DS.FireState>;
/** GET /api/doors/state. */
export type DoorStatesReply = Static<typeof DS.DoorStatesReply>;
/** POST /api/doors/:id/unlock. */
export type UnlockReply = Static<typeof DS.UnlockReply>;

// Issue 16: the full inspection, uploads, listing patrols, enforcement feedback, tips.
/** An uploaded photo or document: POST /api/evidence. */
export type EvidenceFile = Static<typeof W.EvidenceFile>;
/** A photo or document as a record lists it. */
export type EvidenceLink = Static<typeof W.EvidenceLink>;
/** A campaign of the full inspection with its counts: /api/campaigns. */
export type Campaign = Static<typeof C.Campaign>;
/** GET /api/campaigns. */
export type CampaignsReply = Static<typeof C.CampaignsReply>;
/** GET /api/campaigns/:id: progress by status, building, inspector. */
export type CampaignDetail = Static<typeof C.CampaignDetail>;
/** GET /api/campaigns/:id/households. */
export type CampaignHouseholds = Static<typeof C.CampaignHouseholdsReply>;
/** One household of a campaign. */
export type CampaignHousehold = Static<typeof C.CampaignHousehold>;
/** GET /api/campaigns/:id/households/:household: residents, open cases, visits. */
export type CampaignHouseholdDetail = Static<typeof C.CampaignHouseholdDetail>;
/** What recording a visit answered. */
export type VisitReply = Static<typeof C.VisitReply>;
/** The written report of a campaign (排查报告). */
export type CampaignReport = Static<typeof C.CampaignReport>;
/** POST /api/campaigns/:id/report. */
export type ReportSent = Static<typeof C.ReportSent>;
/** GET /api/patrols. */
export type PatrolsReply = Static<typeof L.PatrolsReply>;
/** A patrol as GET /api/patrols lists it. */
export type PatrolRow = Static<typeof L.PatrolRow>;
/** GET /api/patrols/suggestions. */
export type SuggestReply = Static<typeof W.SuggestReply>;
/** POST /api/patrols/:id/household. */
export type LinkReply = Static<typeof W.LinkReply>;
/** A case's hand-over and the enforcement office's feedback. */
export type Enforcement = Static<typeof W.Enforcement>;
/** A tip with its contact (masked for all but admins) and reward: /api/tips. */
export type Tip = Static<typeof W.Tip>;
/** GET /api/tips. */
export type TipsReply = Static<typeof W.TipsReply>;
