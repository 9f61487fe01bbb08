/**
 * Where a process on this machine reaches a server bound to LISTEN_HOST, and the URL to say for it. One rule for the
 * services' "listening on" line, `npm start`'s lines and its readiness probe, so they never disagree.
 */

/** LISTEN_HOST values that bind every interface; loopback reaches them from this machine. */
const EVERYWHERE = new Set(['', '0.0.0.0', '::']);

/** True when a server bound to `listenHost` answers on every interface. */
export function bindsEverywhere(listenHost: string): boolean {
  return EVERYWHERE.has(listenHost);
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
