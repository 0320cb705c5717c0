import { faceId, imageId, VIID_STATUS, type ViidFace, viidTime } from '../../../core/viid-wire.js';
import type { ViidReply } from './viid-client.js';

/** Status codes after which the same faces may succeed later: busy, device error, rebooting. */
export const RETRYABLE: ReadonlySet<number> = new Set<number>([
  VIID_STATUS.deviceBusy,
  VIID_STATUS.deviceError,
  VIID_STATUS.reboot,
]);

/** A 2xx whose (first) status is 0. */
export function ok(r: ViidReply): boolean {
  return r.http >= 200 && r.http < 300 && r.statuses?.[0]?.statusCode === VIID_STATUS.ok;
}

/** The platform no longer knows the registration: a 401 that survived a fresh challenge, or status 4. */
export function lostRegistration(r: ViidReply): boolean {
  return r.http === 401 || r.statuses?.[0]?.statusCode === VIID_STATUS.invalidOperation;
}

/**
 * A community extension record per face (`{Name}ListObject`/`{Name}Object`, the name from
 * the resource path: /VIID/Community/AccessRecords → AccessRecord). The districts that use
 * these extensions differ: the fields are the ones every variant seen carries.
 */
export function communityBody(resource: string, faces: readonly ViidFace[]): string {
  const name = (resource.split('/').pop() ?? 'Record').replace(/s$/, '');
  return JSON.stringify({
    [`${name}ListObject`]: {
      [`${name}Object`]: faces.map((f) => {
        const img = imageId(f.deviceId, f.ts, f.seq);
        return {
          RecordID: faceId(img, f.seq),
          DeviceID: f.deviceId,
          PassTime: viidTime(f.ts),
          FaceID: faceId(img, f.seq),
          ImageID: img,
        };
      }),
    },
  });
}
