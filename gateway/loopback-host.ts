import { isIP } from 'node:net';

/**
 * True for a host or address on this box: localhost, 127.0.0.0/8, ::1 and IPv4-mapped
 * loopback (::ffff:127.x, how a dual-stack socket reports 127.0.0.1). What is on loopback
 * never crosses the estate LAN, so it may go without TLS and share one address.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}
