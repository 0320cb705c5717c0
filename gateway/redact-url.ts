/**
 * A URL as a log line may show it: the password of `scheme://user:password@host` blanked,
 * the query dropped (it may hold a token). A URL that does not parse shows its scheme only.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = 'redacted';
    u.search = '';
    return u.toString();
  } catch {
    return `${/^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0] ?? ''}//[unparsable URL]`;
  }
}
