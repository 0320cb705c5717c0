/**
 * The 20-digit device ids of GA/T 1400 (and GB/T 28181, which shares them): 8 digits of
 * region (province 2, city 2, district 2, grass-roots unit 2), 2 of industry, 2+2 of type
 * (device type and sub-type / network mark), 6 of sequence. The platform assigns them; the
 * gateway checks the shape so a mistyped id is a `check-config` error, not a refused upload.
 */

/** The province codes of GB/T 2260 (the first two digits of a region code). */
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61,
  62, 63, 64, 65, 71, 81, 82,
]);

/** A device id cut into its fields. */
export interface ViidDeviceId {
  region: string;
  industry: string;
  type: string;
  sequence: string;
}

/** The fields of a 20-digit id, or why it is not one (a sentence for `check-config`). */
export function parseViidDeviceId(id: string): { ok: true; id: ViidDeviceId } | { ok: false; why: string } {
  if (!/^[0-9]{20}$/.test(id)) return { ok: false, why: 'must be 20 digits' };
  const region = id.slice(0, 8);
  const province = Number(region.slice(0, 2));
  if (!PROVINCES.has(province))
    return {
      ok: false,
      why: `region ${region} starts with ${region.slice(0, 2)}, not a province code (Shanghai is 31)`,
    };
  const sequence = id.slice(14, 20);
  if (sequence === '000000') return { ok: false, why: 'the sequence (last 6 digits) must not be 000000' };
  return { ok: true, id: { region, industry: id.slice(8, 10), type: id.slice(10, 14), sequence } };
}
