/**
 * Tolerant reading of vendor JSON, where the same field is a number on one firmware and a
 * string on the next (Dahua `UserID`, Hikvision `serialNo`). Each reader returns the value,
 * undefined when the field is absent or null, or throws FieldError when it is there with a
 * type no firmware uses, so a caller can refuse the record with the field's name.
 */

/** A field present with a type or value no firmware uses. */
export class FieldError extends Error {
  readonly field: string;
  constructor(field: string, want: string) {
    super(`${field} must be ${want}`);
    this.field = field;
  }
}

type Obj = Readonly<Record<string, unknown>>;

/** True for a plain JSON object. */
export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An integer given as a number or as decimal digits. */
export function intField(o: Obj, key: string, where = key): number | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^\s*-?\d{1,15}\s*$/.test(v)) return Number(v);
  throw new FieldError(where, 'an integer (number or digits)');
}

/** A number given as a number or as a decimal string. */
export function numberField(o: Obj, key: string, where = key): number | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  throw new FieldError(where, 'a number');
}

/** A string; numbers are taken as their decimal text (an id typed as a number on one firmware). */
export function stringField(o: Obj, key: string, where = key, max = 256): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'string') {
    if (v.length > max) throw new FieldError(where, `at most ${max} characters`);
    return v;
  }
  throw new FieldError(where, 'a string or an integer');
}

/** A boolean given as true/false or as "true"/"false". */
export function boolField(o: Obj, key: string, where = key): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new FieldError(where, 'true or false');
}

/** Reads with `read`, turning a FieldError into a refusal detail. */
export function tryFields<T>(read: () => T): { ok: true; value: T } | { ok: false; detail: string } {
  try {
    return { ok: true, value: read() };
  } catch (err) {
    if (err instanceof FieldError) return { ok: false, detail: err.message };
    throw err;
  }
}
