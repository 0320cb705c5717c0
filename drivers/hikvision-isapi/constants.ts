/**
 * Hikvision ISAPI for MinMoe face terminals (DS-K1T…): paths, limits and the event code
 * table (protocols.md "Face terminals" §2; minor codes as named in Hikvision's SDK header,
 * NET_DVR_ACS_ALARM_INFO on open.hikvision.com, and in Hikvision's HEOP demo EventType).
 */
import type { DoorSignalKind } from '../../core/contracts.js';

/** ISAPI resources the driver and the simulator use. */
export const ISAPI = {
  deviceInfo: '/ISAPI/System/deviceInfo',
  time: '/ISAPI/System/time',
  alertStream: '/ISAPI/Event/notification/alertStream',
  httpHosts: '/ISAPI/Event/notification/httpHosts',
  acsEvent: '/ISAPI/AccessControl/AcsEvent?format=json',
  userCount: '/ISAPI/AccessControl/UserInfo/Count?format=json',
  userSearch: '/ISAPI/AccessControl/UserInfo/Search?format=json',
  userSetUp: '/ISAPI/AccessControl/UserInfo/SetUp?format=json',
  userRecord: '/ISAPI/AccessControl/UserInfo/Record?format=json',
  userModify: '/ISAPI/AccessControl/UserInfo/Modify?format=json',
  userDelete: '/ISAPI/AccessControl/UserInfo/Delete?format=json',
  cardRecord: '/ISAPI/AccessControl/CardInfo/Record?format=json',
  cardSearch: '/ISAPI/AccessControl/CardInfo/Search?format=json',
  cardDelete: '/ISAPI/AccessControl/CardInfo/Delete?format=json',
  faceRecord: '/ISAPI/Intelligent/FDLib/FaceDataRecord?format=json',
  faceSetUp: '/ISAPI/Intelligent/FDLib/FDSetUp?format=json',
  faceDelete: '/ISAPI/Intelligent/FDLib/FDSearch/Delete?format=json&FDID=1&faceLibType=blackFD',
  /** `PUT …/RemoteControl/door/{n}` with an XML `RemoteControlDoor`. */
  remoteDoor: '/ISAPI/AccessControl/RemoteControl/door/',
} as const;

/** The boundary MinMoe firmware uses on its pushes and its alertStream. */
export const HIK_BOUNDARY = 'MIME_boundary';
/** The cap on `maxResults` of AcsEvent and UserInfo searches: firmware answers at most 30 a page. */
export const SEARCH_PAGE = 30;
/** The face library the terminals match against (one library, "blackFD" in ISAPI's words). */
export const FACE_LIBRARY = { faceLibType: 'blackFD', FDID: '1' } as const;
/** employeeNo: 1–32 characters, leading zeros kept (a string, never a number). */
export const EMPLOYEE_NO = /^[A-Za-z0-9_-]{1,32}$/;

/** Major event types. */
export const MAJOR = { alarm: 1, exception: 2, operation: 3, event: 5 } as const;

/** What a minor code of major 5 means to the gateway. */
export type MinorMeaning =
  /** A credential read: what it carries and whether the terminal matched it. */
  | { read: 'face' | 'card' | 'fingerprint' | 'qrcode'; matched: boolean }
  /** A door hardware signal. */
  | { door: DoorSignalKind }
  /** Known, recorded in the counters, nothing for the pipeline. */
  | { note: true };

const face = (matched: boolean): MinorMeaning => ({ read: 'face', matched });
const card = (matched: boolean): MinorMeaning => ({ read: 'card', matched });
const finger = (matched: boolean): MinorMeaning => ({ read: 'fingerprint', matched });
const door = (kind: DoorSignalKind): MinorMeaning => ({ door: kind });
const note: MinorMeaning = { note: true };

/**
 * Minor codes of major 5 (access events) by their SDK names. Reads carry the terminal's
 * verdict only as `matched`: the gateway decides for itself from the roster.
 */
export const MINORS: ReadonlyMap<number, { name: string; means: MinorMeaning }> = new Map([
  [0x01, { name: 'LEGAL_CARD_PASS', means: card(true) }],
  [0x02, { name: 'CARD_AND_PSW_PASS', means: card(true) }],
  [0x03, { name: 'CARD_AND_PSW_FAIL', means: card(false) }],
  [0x06, { name: 'CARD_NO_RIGHT', means: card(true) }],
  [0x07, { name: 'CARD_INVALID_PERIOD', means: card(true) }],
  [0x08, { name: 'CARD_OUT_OF_DATE', means: card(true) }],
  [0x09, { name: 'INVALID_CARD', means: card(false) }],
  [0x0a, { name: 'ANTI_SNEAK_FAIL', means: note }],
  [0x0b, { name: 'INTERLOCK_DOOR_NOT_CLOSE', means: note }],
  [0x13, { name: 'ALWAYS_OPEN_BEGIN', means: note }],
  [0x14, { name: 'ALWAYS_OPEN_END', means: note }],
  [0x15, { name: 'LOCK_OPEN', means: door('lock_opened') }],
  [0x16, { name: 'LOCK_CLOSE', means: door('lock_closed') }],
  [0x17, { name: 'DOOR_BUTTON_PRESS', means: door('exit_button') }],
  [0x18, { name: 'DOOR_BUTTON_RELEASE', means: note }],
  [0x19, { name: 'DOOR_OPEN_NORMAL', means: door('contact_open') }],
  [0x1a, { name: 'DOOR_CLOSE_NORMAL', means: door('contact_closed') }],
  [0x1b, { name: 'DOOR_OPEN_ABNORMAL', means: door('forced_open') }],
  [0x1c, { name: 'DOOR_OPEN_TIMEOUT', means: door('held_open') }],
  [0x1d, { name: 'ALARMOUT_ON', means: note }],
  [0x1e, { name: 'ALARMOUT_OFF', means: note }],
  [0x1f, { name: 'ALWAYS_CLOSE_BEGIN', means: note }],
  [0x20, { name: 'ALWAYS_CLOSE_END', means: note }],
  [0x25, { name: 'DOORBELL_RINGING', means: note }],
  [0x26, { name: 'FINGERPRINT_COMPARE_PASS', means: finger(true) }],
  [0x27, { name: 'FINGERPRINT_COMPARE_FAIL', means: finger(false) }],
  [0x31, { name: 'FINGERPRINT_INEXISTENCE', means: finger(false) }],
  [0x34, { name: 'FIRE_RELAY_TURN_ON_DOOR_ALWAYS_OPEN', means: door('fire_alarm_on') }],
  [0x35, { name: 'FIRE_RELAY_RECOVER_DOOR_RECOVER_NORMAL', means: door('fire_alarm_off') }],
  [0x36, { name: 'FACE_AND_FP_VERIFY_PASS', means: face(true) }],
  [0x37, { name: 'FACE_AND_FP_VERIFY_FAIL', means: face(false) }],
  [0x39, { name: 'FACE_AND_PW_VERIFY_PASS', means: face(true) }],
  [0x3a, { name: 'FACE_AND_PW_VERIFY_FAIL', means: face(false) }],
  [0x3c, { name: 'FACE_AND_CARD_VERIFY_PASS', means: face(true) }],
  [0x3d, { name: 'FACE_AND_CARD_VERIFY_FAIL', means: face(false) }],
  [0x4b, { name: 'FACE_VERIFY_PASS', means: face(true) }],
  [0x4c, { name: 'FACE_VERIFY_FAIL', means: face(false) }],
  [0x4d, { name: 'EMPLOYEENO_AND_FACE_VERIFY_PASS', means: face(true) }],
  [0x4e, { name: 'EMPLOYEENO_AND_FACE_VERIFY_FAIL', means: face(false) }],
  [0x50, { name: 'FACE_RECOGNIZE_FAIL', means: face(false) }],
  [0x53, { name: 'DOORLOCK_INPUT_SHORT_CIRCUIT', means: door('tamper') }],
  [0x54, { name: 'DOORLOCK_INPUT_BROKEN_CIRCUIT', means: door('tamper') }],
  [0x56, { name: 'DOORCONTACT_INPUT_SHORT_CIRCUIT', means: door('tamper') }],
  [0x57, { name: 'DOORCONTACT_INPUT_BROKEN_CIRCUIT', means: door('tamper') }],
  [0x5c, { name: 'DOORLOCK_OPEN_EXCEPTION', means: door('forced_open') }],
  [0x5d, { name: 'DOORLOCK_OPEN_TIMEOUT', means: door('held_open') }],
  [0x68, { name: 'HUMAN_DETECT_FAIL', means: note }],
  [0x69, { name: 'PEOPLE_AND_ID_CARD_COMPARE_PASS', means: note }],
  [0x70, { name: 'PEOPLE_AND_ID_CARD_COMPARE_FAIL', means: note }],
  [0x75, { name: 'DOOR_OPEN_OR_DORMANT_FAIL', means: note }],
  [0x85, { name: 'TRAILING', means: note }],
  [0x86, { name: 'REVERSE_ACCESS', means: note }],
  [0x87, { name: 'FORCE_ACCESS', means: door('forced_open') }],
  [0x96, { name: 'PSW_VERIFY_FAIL', means: note }],
  [0x98, { name: 'EMPLOYEE_NO_NOT_EXIST', means: note }],
  [0x9c, { name: 'QRCODE_VERIFY_PASS', means: { read: 'qrcode', matched: true } }],
  [0x9d, { name: 'QRCODE_VERIFY_FAIL', means: { read: 'qrcode', matched: false } }],
  [0xb5, { name: 'PASSWD_VERIFY_PASS', means: note }],
]);

/** Major 3 (operations) the driver knows by name: the answer to its own remote open. */
export const OPERATIONS: ReadonlyMap<number, string> = new Map([
  [0x400, 'REMOTE_OPEN_DOOR'],
  [0x401, 'REMOTE_CLOSE_DOOR'],
  [0x402, 'REMOTE_ALWAYS_OPEN'],
  [0x403, 'REMOTE_ALWAYS_CLOSE'],
  [0x404, 'REMOTE_CHECK_TIME'],
]);

/**
 * The `subStatusCode` of a refused library write → the gateway's code for it (core/codes.ts
 * `libraryRefusal`). Codes not here are refusals in the terminal's own words (`refused`).
 */
export const SUB_STATUS_REFUSALS: Readonly<Record<string, string>> = {
  noFaceDetected: 'no_face_detected',
  faceQualityTooLow: 'face_quality_too_low',
  picSizeOutRange: 'photo_too_large',
  faceLibFull: 'face_library_full',
  FDIDNotExist: 'face_library_missing',
  cardNoAlreadyExist: 'card_in_use',
  badParameters: 'bad_parameters',
  employeeNoNotExist: 'person_not_found',
};

/** Sub status codes that mean "already there": a write that creates is retried as one that modifies. */
export const ALREADY_EXISTS = new Set(['deviceUserAlreadyExist', 'employeeNoAlreadyExist']);
/** Sub status codes of a delete that found nothing: the entry is gone, which is what was wanted. */
export const NOT_FOUND = new Set(['employeeNoNotExist', 'deviceUserNotExist', 'noRecord']);
/** Sub status codes of a terminal too busy to take a write now (modelling a face): retried after a pause. */
export const BUSY = new Set(['deviceBusy', 'busy']);

/** Seconds until a locked account unlocks, from a 401 body (`<lockStatus>lock</lockStatus><unlockTime>N`). */
export function unlockSeconds(body: string): number | null {
  if (!/<lockStatus>\s*lock\s*<\/lockStatus>/i.test(body)) return null;
  const m = /<unlockTime>\s*(\d{1,7})\s*<\/unlockTime>/i.exec(body);
  return m ? Number(m[1]) : 1800;
}
