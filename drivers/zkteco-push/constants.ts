/**
 * ZKTeco push ("ADMS" / iclock) over HTTP, the terminal the client and the gateway the
 * server (protocols.md "Face terminals" §4; sources: s0x90/zkteco-adms, tested on a
 * SpeedFace-V5L). Where only one source says it, the parser is tolerant and counts what
 * it meets.
 */

/** The routes a terminal uses (§4), all under /iclock/. */
export const ROUTES = {
  cdata: '/iclock/cdata',
  getrequest: '/iclock/getrequest',
  devicecmd: '/iclock/devicecmd',
  /** Access-control firmware registers first and fetches its options from /iclock/push. */
  registry: '/iclock/registry',
  push: '/iclock/push',
  ping: '/iclock/ping',
} as const;

/** Verify modes of an ATTLOG line (§4): 0 password, 1 fingerprint, 2/4 card, 15 face. */
export const VERIFY = { password: 0, finger: 1, card: [2, 4], face: 15 } as const;

/**
 * rtlog door events of access-control firmware, as ZKAccess lists them (one source, not
 * verified on a device): what the door model hears of them.
 */
export const DOOR_EVENTS: Readonly<
  Record<number, 'contact_open' | 'contact_closed' | 'exit_button' | 'forced_open' | 'held_open'>
> = {
  28: 'held_open',
  102: 'forced_open',
  200: 'contact_open',
  201: 'contact_closed',
  202: 'exit_button',
};

/** A devicecmd Return and what it means for one person (§4 "Results"; s0x90's table). */
export const RETURNS: Readonly<Record<string, { words: string; refusal: string }>> = {
  '-1': { words: 'command failed or not supported', refusal: 'not_supported' },
  '-2': { words: 'file operation failed', refusal: 'storage_full' },
  '-1002': { words: 'invalid command syntax', refusal: 'bad_person' },
  '-1004': { words: 'table not supported on this model', refusal: 'not_supported' },
};

/** Largest body of a cdata POST (ATTPHOTO carries a JPEG). */
export const MAX_CDATA_BYTES = 2 * 1024 * 1024;
/** Largest ATTPHOTO picture kept with a record. */
export const MAX_PHOTO_BYTES = 1024 * 1024;
/** Largest devicecmd or registry body. */
export const MAX_SMALL_BODY = 256 * 1024;
/** Longest ATTLOG line accepted; longer ones are junk. */
export const MAX_LINE = 1024;
/** Longest PIN of text-PIN firmware; digit-PIN firmware takes 9 digits. */
export const MAX_TEXT_PIN = 24;
export const MAX_DIGIT_PIN = 9;
/** Name field of USERINFO: 24 characters on the firmware seen. */
export const MAX_NAME = 24;
/** A picture waits this long for its ATTLOG line (it may come first). */
export const PHOTO_WAIT_MS = 60_000;
