/**
 * The JSON API as the dashboard calls it: same-origin cookie, CSRF token on every write. The
 * types of its replies are the server's response schemas (api-types.ts).
 */

/** An error reply of the API, with its status and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let csrf: string | null = null;

/** Remembers the session's CSRF token (sent as X-CSRF-Token on writes). */
export function setCsrf(token: string | null): void {
  csrf = token;
}

/** Sends the browser to the login page, coming back to where it was. */
export function toLogin(): void {
  location.href = `/login?next=${encodeURIComponent(location.hash)}`;
}

/** Calls the API; throws ApiError on an error reply, goes to the login page on 401. */
export async function api<T>(path: string, opts: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  // A FormData body (an upload) sets its own multipart content type with the boundary.
  const form = opts.body instanceof FormData;
  if (opts.body !== undefined && !form) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: opts.body === undefined ? undefined : form ? (opts.body as FormData) : JSON.stringify(opts.body),
  });
  if (res.status === 401 && path !== '/api/session') {
    toLogin();
    throw new ApiError(401, 'login required');
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as { message?: string };
  if (!res.ok) throw new ApiError(res.status, data.message ?? res.statusText);
  return data as T;
}

/** A query string from the given values, skipping empty ones. */
export function qs(o: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}
