/**
 * Where a process on this machine reaches a server bound to LISTEN_HOST, and the URL to say for it. One rule for the
 * services' "listening on" line, `npm start`'s lines and its readiness probe, so they never disagree.
 */

import { isIPv6 } from 'node:net';

/**
 * True when a server bound to `listenHost` answers on every interface: the unspecified address however it is
 * spelled (`0.0.0.0`, `::`, `::0`, `0:0:0:0:0:0:0:0`, `::ffff:0.0.0.0` all pass LISTEN_HOST's check), or none.
 */
export function bindsEverywhere(listenHost: string): boolean {
  if (listenHost === '' || listenHost === '0.0.0.0') return true;
  if (!isIPv6(listenHost) || listenHost.includes('%')) return false;
  // The WHATWG serializer writes an IPv6 address in its one canonical form (RFC 5952): '::' for all zeros.
  const canonical = new URL(`http://[${listenHost}]/`).hostname;
  return canonical === '[::]' || canonical === '[::ffff:0:0]';
}

/**
 * The address to connect to, as a socket takes it (an IPv6 one without brackets, its zone id such as `%eth0` kept:
 * a socket needs it for a link-local address): loopback for a server bound everywhere, its own address otherwise — a
 * server bound to one address answers at that address only.
 */
export function localHost(listenHost: string): string {
  return bindsEverywhere(listenHost) ? '127.0.0.1' : listenHost;
}

/**
 * `http://host:port` for a person or curl on this machine. An IPv6 address goes in brackets, and its zone id's `%`
 * is written `%25` (RFC 6874; curl reads it so). WHATWG URL parsers (fetch, `new URL`) reject zone ids altogether:
 * code that connects uses {@link localHost} with the port, not this string.
 */
export function localUrl(listenHost: string, port: number): string {
  const host = localHost(listenHost);
  return `http://${host.includes(':') ? `[${host.replace(/%/g, '%25')}]` : host}:${port}`;
}
