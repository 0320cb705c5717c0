/**
 * The SOAP of the simulated ONVIF camera (issue 13): what the `onvif` 0.8 client sends —
 * the action in the Content-Type, the body's first element, the WS-Security UsernameToken
 * with a PasswordDigest — read back, and the replies and faults a camera answers with.
 * Pure string work: the camera (camera.ts) does the HTTP.
 */
import { createHash } from 'node:crypto';
import { NS_DEVICE, NS_ERROR, NS_MEDIA, NS_SCHEMA, NS_SOAP } from '../../drivers/onvif/constants.js';

/** The call a request makes: `GetProfiles`, from the action or the body. */
export function soapAction(contentType: string | undefined, body: string): string | null {
  const fromHeader = /action="([^"]+)"/.exec(contentType ?? '')?.[1];
  if (fromHeader) return fromHeader.slice(fromHeader.lastIndexOf('/') + 1);
  const inBody = /<(?:[\w-]+:)?Body[^>]*>\s*<(?:[\w-]+:)?([A-Za-z]+)/.exec(body)?.[1];
  return inBody ?? null;
}

/** A request's UsernameToken, if it carries one. */
export interface UsernameToken {
  username: string;
  digest: string;
  nonce: string;
  created: string;
}

const tag = (body: string, name: string) =>
  new RegExp(`<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?>([^<]*)</(?:[\\w-]+:)?${name}>`).exec(body)?.[1];

/** Reads the WS-Security UsernameToken of a request (null: none). */
export function usernameToken(body: string): UsernameToken | null {
  const username = tag(body, 'Username');
  const digest = tag(body, 'Password');
  const nonce = tag(body, 'Nonce');
  const created = tag(body, 'Created');
  if (username === undefined || digest === undefined || nonce === undefined || created === undefined)
    return null;
  return { username, digest, nonce, created };
}

/** WS-Security PasswordDigest: Base64(SHA-1(nonce bytes + Created + password)). */
export function passwordDigest(nonceB64: string, created: string, password: string): string {
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(nonceB64, 'base64'), Buffer.from(created), Buffer.from(password)]))
    .digest('base64');
}

/** The text of a request's element, e.g. its ProfileToken. */
export function element(body: string, name: string): string | undefined {
  return tag(body, name);
}

/** A SOAP 1.2 envelope around a body. */
export function envelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="${NS_SOAP}" xmlns:tds="${NS_DEVICE}" xmlns:trt="${NS_MEDIA}" xmlns:tt="${NS_SCHEMA}" xmlns:ter="${NS_ERROR}"><env:Body>${body}</env:Body></env:Envelope>`;
}

/** A SOAP fault: `ter:NotAuthorized` with the camera's own wording, `ter:ActionNotSupported`… */
export function fault(subcode: string, reason: string, code: 'Sender' | 'Receiver' = 'Sender'): string {
  return envelope(
    `<env:Fault><env:Code><env:Value>env:${code}</env:Value><env:Subcode><env:Value>ter:${subcode}</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">${reason}</env:Text></env:Reason></env:Fault>`,
  );
}

/** GetSystemDateAndTime's answer: the camera's clock in UTC (Core spec §8.3.11). */
export function systemDateAndTime(now: number): string {
  const d = new Date(now);
  return envelope(
    `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>CST-8</tt:TZ></tt:TimeZone><tt:UTCDateTime><tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time><tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`,
  );
}

/** GetCapabilities' answer: where the device, media and event services are. */
export function capabilities(base: string): string {
  return envelope(
    `<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>${base}/onvif/device_service</tt:XAddr></tt:Device><tt:Events><tt:XAddr>${base}/onvif/events_service</tt:XAddr><tt:WSSubscriptionPolicySupport>false</tt:WSSubscriptionPolicySupport><tt:WSPullPointSupport>false</tt:WSPullPointSupport></tt:Events><tt:Media><tt:XAddr>${base}/onvif/media_service</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>`,
  );
}

/** GetProfiles' answer: a main stream and a sub stream of one video source. */
export function profiles(): string {
  const profile = (token: string, name: string, w: number, h: number) =>
    `<trt:Profiles token="${token}" fixed="true"><tt:Name>${name}</tt:Name><tt:VideoSourceConfiguration token="VideoSourceToken"><tt:Name>VideoSourceConfig</tt:Name><tt:UseCount>2</tt:UseCount><tt:SourceToken>VideoSource_1</tt:SourceToken><tt:Bounds x="0" y="0" width="1920" height="1080"/></tt:VideoSourceConfiguration><tt:VideoEncoderConfiguration token="VideoEncoder_${token}"><tt:Name>${name}</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>${w}</tt:Width><tt:Height>${h}</tt:Height></tt:Resolution><tt:Quality>4</tt:Quality></tt:VideoEncoderConfiguration></trt:Profiles>`;
  return envelope(
    `<trt:GetProfilesResponse>${profile('Profile_1', 'mainStream', 1920, 1080)}${profile('Profile_2', 'subStream', 640, 360)}</trt:GetProfilesResponse>`,
  );
}

/** GetSnapshotUri's answer (Media spec §5.16). */
export function snapshotUri(uri: string): string {
  return envelope(
    `<trt:GetSnapshotUriResponse><trt:MediaUri><tt:Uri>${uri}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetSnapshotUriResponse>`,
  );
}
