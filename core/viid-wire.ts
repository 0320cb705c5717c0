/**
 * GA/T 1400 (公安视图库, "VIID") as the community side speaks it to a police platform
 * (issue 14; shared/protocols.md "GA/T 1400", seen in nanguantong/gat-1400, haoxianrui/gat1400,
 * noroadzh/gat1400-simulator): the paths, the JSON objects, the ids and the reply. Pure; the
 * gateway's client and the simulated platform both build and read their bodies here, so the
 * two cannot drift apart.
 */
import { LOCAL_OFFSET_MS } from './time.js';

/** GA/T 1400.3 §C: the system resources. */
export const VIID_REGISTER = '/VIID/System/Register';
export const VIID_UNREGISTER = '/VIID/System/UnRegister';
export const VIID_KEEPALIVE = '/VIID/System/Keepalive';
export const VIID_TIME = '/VIID/System/Time';
/** GA/T 1400.3: the face resource (a FaceListObject per POST). */
export const VIID_FACES = '/VIID/Faces';

/** The content type of every body (some platforms send application/*+JSON: read any JSON). */
export const VIID_CONTENT_TYPE = 'application/VIID+JSON;charset=UTF-8';
/** The header that names the calling device on every request. */
export const USER_IDENTIFY = 'User-Identify';

/** ResponseStatusObject.StatusCode values (GA/T 1400.3 table of status codes). */
export const VIID_STATUS = {
  ok: 0,
  otherError: 1,
  deviceBusy: 2,
  deviceError: 3,
  invalidOperation: 4,
  invalidXmlFormat: 5,
  invalidXmlContent: 6,
  invalidJsonFormat: 7,
  invalidJsonContent: 8,
  reboot: 9,
} as const;

/** SubImageInfoObject.Type of a face cut-out (GA/T 1400.3 image type codes: 11 = 人脸). */
export const IMAGE_TYPE_FACE = '11';
/** SubImageInfoObject.Type of the scene the face was taken from (14 = 场景图). */
export const IMAGE_TYPE_SCENE = '14';
/** The object type code inside a FaceID (06 = 人脸). */
export const OBJECT_TYPE_FACE = '06';
/** The image type code inside an ImageID (02 = 图片). Single-source: adjust when a platform says otherwise. */
export const ID_TYPE_IMAGE = '02';
/** InfoKind: 1 = collected automatically (the terminal), 2 = entered by hand. */
export const INFO_KIND_AUTO = 1;
/**
 * EventSort of a face taken at an access-control door. Not confirmed by a second source:
 * keep it here, easy to change for a district whose platform wants another code.
 */
export const EVENT_SORT_ACCESS = 4;

/** yyyyMMddHHmmss in Beijing time, the standard's time format. */
export function viidTime(ts: number): string {
  return new Date(ts + LOCAL_OFFSET_MS).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** A 41-character ImageID: device id (20) + type (2) + time (14) + sequence (5). */
export function imageId(deviceId: string, ts: number, seq: number): string {
  return `${deviceId}${ID_TYPE_IMAGE}${viidTime(ts)}${String(seq % 100_000).padStart(5, '0')}`;
}

/** A 48-character FaceID: its source ImageID (41) + object type (2) + sequence (5). */
export function faceId(sourceImageId: string, seq: number): string {
  return `${sourceImageId}${OBJECT_TYPE_FACE}${String(seq % 100_000).padStart(5, '0')}`;
}

/** The body of Register, Keepalive or UnRegister. */
export function systemBody(kind: 'Register' | 'Keepalive' | 'UnRegister', deviceId: string): string {
  return JSON.stringify({ [`${kind}Object`]: { DeviceID: deviceId } });
}

/** One face for a FaceListObject. */
export interface ViidFace {
  /** The device that saw it (a reader's id, or the gateway's). */
  deviceId: string;
  /** When it was seen (ms). */
  ts: number;
  /** A sequence that makes the ids unique (the journal seq). */
  seq: number;
  jpeg: Buffer;
  width: number;
  height: number;
}

/** A FaceListObject with one FaceObject per face, each with its JPEG in SubImageList. */
export function faceListBody(faces: readonly ViidFace[]): string {
  return JSON.stringify({
    FaceListObject: {
      FaceObject: faces.map((f) => {
        const img = imageId(f.deviceId, f.ts, f.seq);
        const shot = viidTime(f.ts);
        return {
          FaceID: faceId(img, f.seq),
          InfoKind: INFO_KIND_AUTO,
          SourceID: img,
          DeviceID: f.deviceId,
          // The terminal sends the face already cut out: the box is the whole image.
          LeftTopX: 0,
          LeftTopY: 0,
          RightBtmX: f.width,
          RightBtmY: f.height,
          LocationMarkTime: shot,
          FaceAppearTime: shot,
          FaceDisAppearTime: shot,
          SubImageList: {
            SubImageInfoObject: [
              {
                ImageID: img,
                EventSort: EVENT_SORT_ACCESS,
                DeviceID: f.deviceId,
                StoragePath: '',
                Type: IMAGE_TYPE_FACE,
                FileFormat: 'Jpeg',
                ShotTime: shot,
                Width: f.width,
                Height: f.height,
                Data: f.jpeg.toString('base64'),
              },
            ],
          },
        };
      }),
    },
  });
}

/** A ResponseStatusObject as read: the status code as a number, whatever the platform sent. */
export interface ViidStatus {
  requestUrl: string | null;
  statusCode: number;
  statusString: string | null;
  id: string | null;
}

/**
 * The statuses of a reply: one ResponseStatusObject, or a ResponseStatusListObject (one per
 * object of a list POST). Null when the body is none of these (the caller counts it as a
 * failure; it never throws).
 */
export function parseViidReply(text: string): ViidStatus[] | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object') return null;
  const o = v as {
    ResponseStatusObject?: unknown;
    ResponseStatusListObject?: { ResponseStatusObject?: unknown };
  };
  const raw = o.ResponseStatusListObject?.ResponseStatusObject ?? o.ResponseStatusObject;
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const out: ViidStatus[] = [];
  for (const r of list) {
    if (!r || typeof r !== 'object') return null;
    const s = r as Record<string, unknown>;
    const code = Number(s.StatusCode);
    if (!Number.isInteger(code)) return null;
    out.push({
      requestUrl: typeof s.RequestURL === 'string' ? s.RequestURL : null,
      statusCode: code,
      statusString: typeof s.StatusString === 'string' ? s.StatusString : null,
      id: typeof s.Id === 'string' ? s.Id : null,
    });
  }
  return out.length > 0 ? out : null;
}

/** A ResponseStatusObject (the platform side). */
export function statusBody(requestUrl: string, id: string, code: number, text: string, now: number): string {
  return JSON.stringify({
    ResponseStatusObject: {
      RequestURL: requestUrl,
      StatusCode: code,
      StatusString: text,
      Id: id,
      LocalTime: viidTime(now),
    },
  });
}
