/**
 * R30x / R503 / AS608 / ZFM-20 ("Synochip") serial protocol. Layout and codes from
 * shared/protocols.md §Fingerprint, as seen in bastianraschke/pyfingerprint
 * (`constants.py`), adafruit/Adafruit-Fingerprint-Sensor-Library and eclipse/upm zfm20.
 */

import { FINGERPRINT_TEMPLATE_BYTES } from '../../core/provisioning.js';

/** Start of every packet: `EF 01`. */
export const HEADER = 0xef01;
/** Module address when none was set (`FF FF FF FF`). */
export const DEFAULT_ADDRESS = 0xffffffff;
/** Default module password (VfyPwd 0). */
export const DEFAULT_PASSWORD = 0;
/** Bytes before the payload: header 2, address 4, packet id 1, length 2. */
export const PREFIX_BYTES = 9;
/** Smallest whole packet: prefix + 2-byte sum with an empty payload. */
export const MIN_PACKET_BYTES = PREFIX_BYTES + 2;
/**
 * Largest length field accepted: the biggest data packet (256 bytes, packet size code 3)
 * plus the 2-byte sum. Adafruit caps near 55 bytes; protocols.md says not to imitate it.
 */
export const MAX_LENGTH_FIELD = 256 + 2;

/** Packet identifiers (offset 6). */
export const PID_COMMAND = 0x01;
export const PID_DATA = 0x02;
export const PID_ACK = 0x07;
export const PID_END_DATA = 0x08;
export const PACKET_IDS = [PID_COMMAND, PID_DATA, PID_ACK, PID_END_DATA] as const;

/** Instruction codes (first payload byte of a command packet). */
export const INS_GEN_IMG = 0x01;
export const INS_IMG2TZ = 0x02;
export const INS_MATCH = 0x03;
export const INS_SEARCH = 0x04;
export const INS_REG_MODEL = 0x05;
export const INS_STORE = 0x06;
export const INS_LOAD_CHAR = 0x07;
export const INS_UP_CHAR = 0x08;
export const INS_DOWN_CHAR = 0x09;
export const INS_DELETE_CHAR = 0x0c;
export const INS_EMPTY = 0x0d;
export const INS_READ_SYS_PARA = 0x0f;
export const INS_VFY_PWD = 0x13;
export const INS_HI_SPEED_SEARCH = 0x1b;
export const INS_TEMPLATE_NUM = 0x1d;
/** ReadIndexTable: 32-byte bitmap of used pages, 256 pages per index page (pyfingerprint 0x1F). */
export const INS_READ_INDEX_TABLE = 0x1f;
/** Pages per ReadIndexTable index page. */
export const PAGES_PER_INDEX = 256;

/** Confirmation codes (first payload byte of an ack). */
export const CC_OK = 0x00;
export const CC_RECEIVE_ERROR = 0x01;
export const CC_NO_FINGER = 0x02;
export const CC_IMAGING_FAILED = 0x03;
export const CC_IMAGE_MESSY = 0x06;
export const CC_FEW_FEATURES = 0x07;
export const CC_NO_MATCH = 0x08;
export const CC_NOT_FOUND = 0x09;
export const CC_ENROLL_MISMATCH = 0x0a;
export const CC_BAD_PAGE = 0x0b;
export const CC_BAD_TEMPLATE = 0x0c;
export const CC_UPLOAD_FAILED = 0x0d;
export const CC_PACKET_REFUSED = 0x0e;
export const CC_DELETE_FAILED = 0x10;
export const CC_EMPTY_FAILED = 0x11;
export const CC_WRONG_PASSWORD = 0x13;
export const CC_FLASH_ERROR = 0x18;
export const CC_PASSWORD_REQUIRED = 0x21;

/** Data packet payload size for each ReadSysPara packet size code (0..3). */
export const PACKET_SIZES = [32, 64, 128, 256] as const;
/** Baud rate = code × 9600 (ReadSysPara baud code). */
export const BAUD_UNIT = 9600;
/** Default UART speed, 57600 8N1. */
export const DEFAULT_BAUD = 57_600;
/** Character buffers used by the door loop and enrolment. */
export const CHAR_BUFFER_1 = 1;
export const CHAR_BUFFER_2 = 2;
/**
 * Template (character file) size on the R30x/AS608 family, as pyfingerprint reads it: the
 * format the roster carries too, so the number lives in the provisioning contract.
 */
export const TEMPLATE_BYTES = FINGERPRINT_TEMPLATE_BYTES;
