/** The dashboard's session cookie. */
export const SESSION_COOKIE = 'eg_session';

/** Reads one cookie from a Cookie header (RFC 6265 pairs), or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The Set-Cookie value of the session: HttpOnly (no script reads it), SameSite=Strict (no
 * other site's page sends it), Path=/, Secure when served over HTTPS. Without maxAgeS it
 * lasts until the browser closes (shared office PCs); 0 deletes it. The server enforces
 * the session's own expiry either way.
 */
export function sessionCookie(value: string, maxAgeS: number | null, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    ...(maxAgeS === null ? [] : [`Max-Age=${Math.max(0, Math.floor(maxAgeS))}`]),
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}
