/**
 * ONVIF as the camera driver speaks it (issue 13; protocols.md "ONVIF cameras"): the npm
 * package `onvif` 0.8 sends the SOAP, this driver fetches the snapshot. Namespaces and the
 * calls are those of the ONVIF Core and Media specifications (ver10); the simulated camera
 * answers with the same names.
 */

/** SOAP 1.2 envelope namespace. */
export const NS_SOAP = 'http://www.w3.org/2003/05/soap-envelope';
/** Device management service (Core spec §8). */
export const NS_DEVICE = 'http://www.onvif.org/ver10/device/wsdl';
/** Media service (Media spec, ver10). */
export const NS_MEDIA = 'http://www.onvif.org/ver10/media/wsdl';
/** Event service (Core spec §9): pull-point subscriptions. */
export const NS_EVENTS = 'http://www.onvif.org/ver10/events/wsdl';
/** ONVIF schema types (tt:). */
export const NS_SCHEMA = 'http://www.onvif.org/ver10/schema';
/** ONVIF error codes (ter:), e.g. ter:NotAuthorized. */
export const NS_ERROR = 'http://www.onvif.org/ver10/error';
/** WS-Security UsernameToken (OASIS 2004). */
export const NS_WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
export const NS_WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';

/** Default path of the device service (Core spec §5.1.1). */
export const DEVICE_SERVICE_PATH = '/onvif/device_service';

/**
 * How the auth failures of cameras read (agsh/onvif issues): the spec's fault is
 * `ter:NotAuthorized` with "Sender not authorized"; many cameras say "Unauthorized", or
 * answer 401 with an HTML page; a Digest-only camera answers 401 to WS-Security. Any of
 * these may be clock skew rather than a wrong password: WS-Security's Created time is
 * checked against the camera's clock.
 */
export const AUTH_FAILURE = /not ?authori[sz]ed|unauthori[sz]ed|authentication failed|\b401\b|access denied/i;

/** Errors of a socket that never reached the camera or lost it. */
export const UNREACHABLE =
  /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|socket hang up/;

/** The first bytes of every JPEG (SOI marker) and its last two (EOI). */
export const JPEG_SOI = Buffer.from([0xff, 0xd8, 0xff]);
export const JPEG_EOI = Buffer.from([0xff, 0xd9]);

/** Pause between health probes (GetSystemDateAndTime) of a camera, default. */
export const DEFAULT_PROBE_MS = 30_000;
/** A camera refused by auth twice in a row is left alone this long (accounts lock out). */
export const AUTH_BACKOFF_MS = 60_000;
