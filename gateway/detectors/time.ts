/** How a credential is shown in evidence: never a full card number. */
export function maskCred(c: string): string {
  const i = c.indexOf(':');
  const kind = c.slice(0, i);
  const key = c.slice(i + 1);
  if (kind === 'card') return `card ****${key.slice(-4)}`;
  if (kind === 'fingerprint') return `fingerprint #${key}`;
  return kind;
}

/** How a person key is shown: residents and passes by id, unregistered faces by number. */
export function personLabel(p: string): string {
  const kind = p[0];
  const id = p.slice(2);
  if (kind === 'r') return `resident ${id}`;
  if (kind === 'p') return `pass ${id}`;
  if (kind === 'c') return `unregistered face #${id}`;
  if (kind === 'x') return `terminal stranger ${id}`;
  return `unregistered ${p}`;
}
