/**
 * Dahua face access controllers over CGI (ASI series; Intelbras OEM): paths, codes and
 * limits (protocols.md "Face terminals" §3; `zzhandoss/dahua-terminal-adapter` and a
 * GoFacialEmulator capture of an Intelbras unit). Where one source says it, the driver is
 * tolerant of what another firmware may do.
 */
import type { DoorSignalKind } from '../../core/contracts.js';

/** CGI resources the driver and the simulator use. */
export const CGI = {
  time: '/cgi-bin/global.cgi?action=getCurrentTime',
  /** Codes the attach stream subscribes to: access events and the door's hardware. */
  attach:
    '/cgi-bin/eventManager.cgi?action=attach&codes=[AccessControl,DoorStatus,BreakIn,DoorNotClosed,ChassisIntruded]&heartbeat=5',
  snap: '/cgi-bin/snapManager.cgi?action=attachFileProc&Flags[0]=Event&Events=[AccessControl]&heartbeat=10',
  records: '/cgi-bin/recordFinder.cgi',
  openDoor: '/cgi-bin/accessControl.cgi?action=openDoor&channel=',
  user: '/cgi-bin/AccessUser.cgi',
  card: '/cgi-bin/AccessCard.cgi',
  face: '/cgi-bin/AccessFace.cgi',
  /** Where a terminal pushes (PictureHttpUpload); `/notification/<reader id>` tells terminals behind one address apart. */
  notification: '/notification',
} as const;

/** The boundary Dahua firmware uses on its streams and pushes. */
export const DAHUA_BOUNDARY = 'myboundary';
/** Users per doFind page: the Caps most firmware reports. */
export const FIND_PAGE = 100;
/** Records per recordFinder call; a full page means more follow. */
export const RECORDS_PAGE = 500;

/** `Method` of an AccessControl event (NET_ACCESS_DOOROPEN_METHOD): what the person presented. */
export const METHODS: ReadonlyMap<
  number,
  { name: string; read?: 'card' | 'fingerprint' | 'face'; door?: DoorSignalKind }
> = new Map([
  [1, { name: 'PASSWORD' }],
  [2, { name: 'CARD', read: 'card' as const }],
  [3, { name: 'CARD_FIRST', read: 'card' as const }],
  [4, { name: 'PWD_FIRST', read: 'card' as const }],
  [5, { name: 'REMOTE' }],
  [6, { name: 'BUTTON', door: 'exit_button' as const }],
  [7, { name: 'FINGERPRINT', read: 'fingerprint' as const }],
  [15, { name: 'FACE_RECOGNITION', read: 'face' as const }],
]);

/** Reads a door event's data and action into a door signal, or null when it says nothing (a Stop). */
type DoorRead = (data: Readonly<Record<string, unknown>>, action: string) => DoorSignalKind | null;

/** Event codes other than AccessControl that are door hardware. */
export const DOOR_CODES: ReadonlyMap<string, DoorRead> = new Map<string, DoorRead>([
  [
    'DoorStatus',
    (d) => {
      const s = String(d.Status ?? '');
      return /^open/i.test(s) ? 'contact_open' : /^clos/i.test(s) ? 'contact_closed' : null;
    },
  ],
  ['BreakIn', () => 'forced_open'],
  ['DoorNotClosed', (_d, action) => (/^stop$/i.test(action) ? null : 'held_open')],
  ['ChassisIntruded', (_d, action) => (/^stop$/i.test(action) ? null : 'tamper')],
]);

/**
 * FailCodes of a refused library write → the gateway's code for it (core/codes.ts
 * `libraryRefusal`); others are refusals in the terminal's words (`refused`).
 */
export const FAIL_CODES: Readonly<Record<number, string>> = {
  288686087: 'no_face_detected',
  286064923: 'photo_too_large',
  286064922: 'face_blurred',
};
/** "Already enrolled": an insertMulti is retried as updateMulti. */
export const ALREADY_ENROLLED = 286064926;
