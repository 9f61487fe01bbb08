import { clientAddress, trustedProxyList } from './client-address';

describe('clientAddress', () => {
  const none = trustedProxyList([]);
  const proxies = trustedProxyList(['10.0.0.0/8', 'fd00::1']);

  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For claims', () => {
    expect(clientAddress('203.0.113.7', '198.51.100.1', none)).toBe('203.0.113.7');
    expect(clientAddress('::ffff:203.0.113.7', undefined, none)).toBe('203.0.113.7');
  });

  it('behind a trusted proxy: the nearest forwarded hop that is not a proxy', () => {
    expect(clientAddress('10.1.2.3', '198.51.100.1', proxies)).toBe('198.51.100.1');
    expect(clientAddress('10.1.2.3', 'spoofed-by-client, 198.51.100.1, 10.9.9.9', proxies)).toBe('198.51.100.1');
    expect(clientAddress('10.1.2.3', ['1.1.1.1', '198.51.100.2'], proxies)).toBe('198.51.100.2');
  });

  it('a peer that is not a trusted proxy cannot choose its address with the header', () => {
    expect(clientAddress('203.0.113.7', '10.1.2.3', proxies)).toBe('203.0.113.7');
  });

  it('a proxy without the header, or with garbage in it, counts as the client', () => {
    expect(clientAddress('10.1.2.3', undefined, proxies)).toBe('10.1.2.3');
    expect(clientAddress('10.1.2.3', 'not-an-address', proxies)).toBe('10.1.2.3');
  });

  it('counts IPv6 clients per /64', () => {
    expect(clientAddress('2001:db8:1:2:aaaa::1', undefined, none)).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:0db8:0001:0002:ffff:1:2:3', undefined, none)).toBe('2001:db8:1:2::/64');
    expect(clientAddress('::1', undefined, none)).toBe('0:0:0:0::/64');
    expect(clientAddress('fd00::1', '2001:db8::5', proxies)).toBe('2001:db8:0:0::/64');
  });
});
