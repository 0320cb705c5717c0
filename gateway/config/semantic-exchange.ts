import { keyId, publicKeyFromText } from '../../core/signing.js';
import { parseViidDeviceId } from '../../core/viid-id.js';

type Problem = { pointer: string; message: string };

type Raw = {
  readers?: unknown;
  rosterSync?: {
    enabled?: unknown;
    mqttUrl?: unknown;
    pullUrl?: unknown;
    publicKeys?: unknown;
  };
  viid?: { enabled?: unknown; url?: unknown; deviceId?: unknown; readerDeviceIds?: unknown };
};

/**
 * Checks of the issue 14 sections a schema cannot express: the roster keys decode to
 * Ed25519 keys (and differ), an enabled sync has a way in and a key, an enabled VIID link
 * has a platform and a well-formed device id, reader device ids name real readers.
 * Tolerates any shape (it runs beside the schema's own errors).
 */
export function exchangeProblems(cfg: unknown): Problem[] {
  const out: Problem[] = [];
  const c = (cfg ?? {}) as Raw;
  const rs = c.rosterSync;
  if (rs && typeof rs === 'object') {
    const keys = Array.isArray(rs.publicKeys) ? (rs.publicKeys as Array<{ key?: unknown }>) : [];
    const ids = new Set<string>();
    keys.forEach((k, i) => {
      if (typeof k?.key !== 'string') return;
      try {
        const id = keyId(publicKeyFromText(k.key));
        if (ids.has(id))
          out.push({ pointer: `/rosterSync/publicKeys/${i}/key`, message: 'the same key twice' });
        ids.add(id);
      } catch (err) {
        out.push({ pointer: `/rosterSync/publicKeys/${i}/key`, message: (err as Error).message });
      }
    });
    if (rs.enabled === true) {
      if (keys.length === 0)
        out.push({
          pointer: '/rosterSync/publicKeys',
          message:
            'an enabled roster sync needs the district system’s public key (unsigned rosters are refused)',
        });
      if (!rs.mqttUrl && !rs.pullUrl)
        out.push({ pointer: '/rosterSync', message: 'an enabled roster sync needs mqttUrl or pullUrl' });
    }
  }
  const v = c.viid;
  if (v && typeof v === 'object') {
    if (v.enabled === true && !v.url)
      out.push({ pointer: '/viid/url', message: 'required when viid.enabled is true' });
    if (v.enabled === true && !v.deviceId)
      out.push({ pointer: '/viid/deviceId', message: 'required when viid.enabled is true' });
    if (typeof v.deviceId === 'string') {
      const p = parseViidDeviceId(v.deviceId);
      if (!p.ok) out.push({ pointer: '/viid/deviceId', message: p.why });
    }
    const readerIds = new Set(
      (Array.isArray(c.readers) ? (c.readers as Array<{ id?: unknown }>) : []).map((r) => r?.id),
    );
    if (v.readerDeviceIds && typeof v.readerDeviceIds === 'object') {
      for (const [reader, id] of Object.entries(v.readerDeviceIds as Record<string, unknown>)) {
        const pointer = `/viid/readerDeviceIds/${reader}`;
        if (!readerIds.has(reader)) out.push({ pointer, message: `no reader with id "${reader}"` });
        if (typeof id === 'string') {
          const p = parseViidDeviceId(id);
          if (!p.ok) out.push({ pointer, message: p.why });
        }
      }
    }
  }
  return out;
}
