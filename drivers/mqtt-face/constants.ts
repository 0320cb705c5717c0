/**
 * The OEM face-terminal protocol over MQTT, `mqtt/face/{facesluiceId}` (protocols.md "Face
 * terminals" §5: "MQTT Protocol of Intelligent Network Camera V1.25", HFSecurity/Huifan and
 * their OEMs; mostly single-source, so the parser is tolerant and every variant it meets is
 * counted rather than assumed away).
 */

/** Default topic root. Downlink `{root}/{id}`; uplink `{root}/{id}/{kind}`, `{root}/basic`, `{root}/heartbeat`. */
export const DEFAULT_ROOT = 'mqtt/face';

/** Uplink topics under `{root}/{id}/` (§5 "Transport"). */
export const UPLINK = ['Ack', 'Rec', 'Snap', 'QRCode', 'IDCard', 'Card'] as const;
/** Shared uplink topics under `{root}/`. */
export const BASIC = 'basic';
export const HEARTBEAT = 'heartbeat';

/** Operators (§5). */
export const OP = {
  online: 'Online',
  offline: 'Offline',
  onlineAck: 'Online-Ack',
  heartbeat: 'HeartBeat',
  rec: 'RecPush',
  snap: 'StrSnapPush',
  pushAck: 'PushAck',
  unlock: 'Unlock',
  editPersonsNew: 'EditPersonsNew',
  editPerson: 'EditPerson',
  deletePersons: 'DeletePersons',
  manualPush: 'ManualPushRecords',
} as const;

/** PushAckType of a record (§5 "Redelivery"): 2 acknowledges a RecordID. Snaps take 1 (assumed, one source). */
export const PUSH_ACK_RECORD = 2;
export const PUSH_ACK_SNAP = 1;

/** VerifyStatus of a record: 0 none, 1 allowed, 2 refused, 3 not registered. */
export const VERIFY_NOT_REGISTERED = 3;

/** Most persons in one EditPersonsNew (§5: ≤ 1,000; kept lower so a batch's photos stay small). */
export const MAX_EDIT_BATCH = 1000;
/** Most persons in one DeletePersons (§5: ≤ 200). */
export const MAX_DELETE_BATCH = 200;
/**
 * EditPerson messages at least this far apart (§5: ≥ 1 s), with a margin: the terminal
 * measures the gap as the messages arrive, and network jitter can shorten it.
 */
export const EDIT_PERSON_PACE_MS = 1200;
/** Longest customId (§5: ≤ 48) and name (≤ 32). */
export const MAX_CUSTOM_ID = 48;
export const MAX_NAME = 32;
/** Largest message accepted from a terminal: a record with its picture (§5 460: > 1 MB is refused). */
export const MAX_PAYLOAD_BYTES = 1536 * 1024;
/** Largest picture kept with a record, decoded bytes. */
export const MAX_PICTURE_BYTES = 1024 * 1024;

/** The vendor's error codes (§5 "Errors"), their words, and the refusal they mean. */
export const ERRORS: Readonly<Record<string, { words: string; refusal: string }>> = {
  '410': { words: 'busy', refusal: 'terminal_busy' },
  '412': { words: 'missing BeginFlag', refusal: 'vendor_error' },
  '413': { words: 'missing EndFlag', refusal: 'vendor_error' },
  '415': { words: 'PersonNum missing', refusal: 'vendor_error' },
  '416': { words: 'PersonNum does not match', refusal: 'vendor_error' },
  '417': { words: 'PersonNum too large', refusal: 'vendor_error' },
  '460': { words: 'payload larger than 1 MB', refusal: 'photo_too_large' },
  '461': { words: 'customId not found', refusal: 'bad_person' },
  '462': { words: 'parameter error', refusal: 'bad_person' },
  '463': { words: 'base64 decoding failed', refusal: 'bad_photo' },
  '464': { words: 'face feature extraction failed', refusal: 'face_quality_low' },
  '467': { words: 'person library full', refusal: 'library_full' },
  '468': { words: 'image smaller than 1 KB', refusal: 'photo_too_small' },
  '469': { words: 'image larger than 1 MB', refusal: 'photo_too_large' },
  '471': { words: 'image URI unreachable', refusal: 'photo_unreachable' },
  '472': { words: 'no picture', refusal: 'no_photo' },
  '474': { words: 'storage full', refusal: 'storage_full' },
  '478': { words: 'too similar to an enrolled face', refusal: 'face_too_similar' },
};

/** The code a delete answers for a person already gone: success for the sync. */
export const NOT_FOUND = '461';
