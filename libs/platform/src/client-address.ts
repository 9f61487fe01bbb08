import { BlockList, isIP } from 'node:net';

/**
 * Lists made by trustedProxyList from no entries. Such a list is never added to afterwards, and with it every request
 * skips BlockList.check, which builds a SocketAddress per call (about 1 % of the gateway's CPU per webhook).
 */
const EMPTY_LISTS = new WeakSet<BlockList>();

/** Which peers are reverse proxies whose X-Forwarded-For is believed (`gateway.trustedProxies`, CONSOLE_TRUSTED_PROXIES). */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  if (entries.length === 0) EMPTY_LISTS.add(list);
  for (const entry of entries) {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

function trusted(list: BlockList, address: string): boolean {
  if (EMPTY_LISTS.has(list)) return false;
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The address failed authentications are counted against. The socket's peer, unless it is a trusted proxy: then
 * the nearest X-Forwarded-For entry that is not one (entries further left are whatever the client claimed). With
 * no trusted proxy configured the header is never read, so nobody gets a fresh budget by inventing addresses.
 */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, proxies: BlockList): string {
  let address = unmapped(socketAddress ?? 'unknown');
  if (!trusted(proxies, address) || forwardedFor === undefined) return throttleKey(address);
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').map((h) => unmapped(h.trim()));
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) break;
    address = hop;
    if (!trusted(proxies, hop)) break;
  }
  return throttleKey(address);
}

function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** IPv6 clients are counted per /64: one host usually holds a whole /64 and could otherwise rotate addresses. */
function throttleKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
