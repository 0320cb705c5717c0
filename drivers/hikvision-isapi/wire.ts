/**
 * ISAPI message shapes both ends share: the `ResponseStatus` every write answers with (JSON
 * or XML), and the `event_log` JSON a terminal pushes or streams (the simulator writes it
 * with this, the driver reads it with event.ts).
 */
import { formatDeviceTime } from '../http/device-time.js';
import { intField, isObject, stringField } from '../http/fields.js';

/** A terminal's verdict on a request: `statusCode` 1 is OK. */
export interface ResponseStatus {
  statusCode: number;
  statusString: string;
  subStatusCode: string;
  errorMsg: string;
}

/** The ResponseStatus in a reply body, JSON or XML, or null when the body holds none. */
export function parseResponseStatus(body: string): ResponseStatus | null {
  const t = body.trim();
  if (t.startsWith('{')) {
    let j: unknown;
    try {
      j = JSON.parse(t);
    } catch {
      return null;
    }
    if (!isObject(j)) return null;
    const o = isObject(j.ResponseStatus) ? j.ResponseStatus : j;
    try {
      const statusCode = intField(o, 'statusCode');
      if (statusCode === undefined) return null;
      return {
        statusCode,
        statusString: stringField(o, 'statusString', 'statusString', 200) ?? '',
        subStatusCode: stringField(o, 'subStatusCode', 'subStatusCode', 100) ?? '',
        errorMsg: stringField(o, 'errorMsg', 'errorMsg', 500) ?? '',
      };
    } catch {
      return null;
    }
  }
  const code = /<statusCode>\s*(\d+)\s*<\/statusCode>/.exec(t)?.[1];
  if (code === undefined) return null;
  const tag = (n: string) => new RegExp(`<${n}>\\s*([^<]*?)\\s*</${n}>`).exec(t)?.[1] ?? '';
  return {
    statusCode: Number(code),
    statusString: tag('statusString'),
    subStatusCode: tag('subStatusCode'),
    errorMsg: tag('errorMsg'),
  };
}

/** A JSON ResponseStatus (what MinMoe answers to `?format=json` requests). */
export function responseStatusJson(s: Partial<ResponseStatus> & { statusCode: number }): string {
  return JSON.stringify({
    statusCode: s.statusCode,
    statusString: s.statusString ?? (s.statusCode === 1 ? 'OK' : 'Invalid Operation'),
    subStatusCode: s.subStatusCode ?? (s.statusCode === 1 ? 'ok' : 'error'),
    ...(s.errorMsg ? { errorCode: 0x60000000 + s.statusCode, errorMsg: s.errorMsg } : {}),
  });
}

/** The XML body of the RemoteControl/door request. */
export function remoteDoorXml(cmd: 'open' | 'close' | 'alwaysOpen' | 'alwaysClose'): string {
  return `<RemoteControlDoor version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema"><cmd>${cmd}</cmd></RemoteControlDoor>`;
}

/** The `<localTime>` of a `GET /ISAPI/System/time` reply, or undefined. */
export function localTimeOf(xml: string): string | undefined {
  return /<localTime>\s*([^<]+?)\s*<\/localTime>/.exec(xml)?.[1];
}

/** An access event as a terminal writes it in `event_log` and on its alertStream. */
export interface EventLogFields {
  time: number;
  zoneMinutes: number;
  major: number;
  minor: number;
  serialNo: number;
  employeeNo?: string;
  cardNo?: string;
  doorNo?: number;
  currentEvent?: boolean;
  pictures?: number;
  mac?: string;
}

/** The `event_log` JSON (GoFacialEmulator capture of a DS-K1T673DX-BR, fw V3.18.0). */
export function eventLogJson(f: EventLogFields): string {
  return JSON.stringify({
    ipAddress: '192.168.1.64',
    portNo: 80,
    protocol: 'HTTP',
    macAddress: f.mac ?? '24:0f:9b:00:00:01',
    channelID: 1,
    dateTime: formatDeviceTime(f.time, f.zoneMinutes),
    activePostCount: 1,
    eventType: 'AccessControllerEvent',
    eventState: 'active',
    eventDescription: 'Access Controller Event',
    shortSerialNumber: 'Q12345678',
    AccessControllerEvent: {
      deviceName: 'Access Controller',
      majorEventType: f.major,
      subEventType: f.minor,
      ...(f.cardNo !== undefined ? { cardNo: f.cardNo, cardType: 1 } : {}),
      ...(f.employeeNo !== undefined ? { employeeNoString: f.employeeNo, userType: 'normal' } : {}),
      cardReaderKind: 1,
      cardReaderNo: 1,
      doorNo: f.doorNo ?? 1,
      verifyNo: 150,
      serialNo: f.serialNo,
      currentVerifyMode: 'cardOrFace',
      frontSerialNo: f.serialNo - 1,
      attendanceStatus: 'undefined',
      label: '',
      statusValue: 0,
      mask: 'no',
      picturesNumber: f.pictures ?? 0,
      purePwdVerifyEnable: true,
      ...(f.currentEvent !== undefined ? { currentEvent: f.currentEvent } : {}),
    },
  });
}
