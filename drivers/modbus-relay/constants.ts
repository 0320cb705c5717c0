/**
 * Modbus RTU over RS-485 for door relay boards (protocols.md §Door locks; MODBUS
 * Application Protocol v1.1b3 §6.1/§6.5 and MODBUS over Serial Line v1.02 §2.5.1).
 */

/** Function codes used by relay boards. */
export const FN_READ_COILS = 0x01;
export const FN_READ_DISCRETE_INPUTS = 0x02;
export const FN_READ_HOLDING = 0x03;
export const FN_READ_INPUT = 0x04;
export const FN_WRITE_COIL = 0x05;
export const FN_WRITE_REGISTER = 0x06;
export const FN_WRITE_COILS = 0x0f;
export const FN_WRITE_REGISTERS = 0x10;
/** Set on the function code of an exception reply. */
export const EXCEPTION_BIT = 0x80;

/** Write single coil values (§6.5): FF 00 on, 00 00 off. */
export const COIL_ON = 0xff00;
export const COIL_OFF = 0x0000;

/** Exception codes (§7). */
export const EX_ILLEGAL_FUNCTION = 0x01;
export const EX_ILLEGAL_ADDRESS = 0x02;
export const EX_ILLEGAL_VALUE = 0x03;
export const EX_DEVICE_FAILURE = 0x04;

/** Unit addresses: 0 broadcast (requests only), 1..247 devices (Serial Line §2.2). */
export const BROADCAST = 0;
export const MAX_UNIT = 247;
/** Largest RTU frame (Serial Line §2.5.1: 256 bytes). */
export const MAX_FRAME_BYTES = 256;
/** CRC-16/MODBUS: reflected polynomial 0xA001, initial 0xFFFF, sent low byte first. */
export const CRC_POLY = 0xa001;
export const CRC_INIT = 0xffff;
/** Relay boards ship at 9600; parity is a reader option (cheap boards use none, RTU's default is even). */
export const DEFAULT_BAUD = 9600;
/**
 * Silence that ends a frame. t3.5 is 4 ms at 9600 baud, but USB adapters deliver in
 * bursts with their own latency, so the parser waits longer before giving up on a tail.
 */
export const INTER_FRAME_GAP_MS = 50;
