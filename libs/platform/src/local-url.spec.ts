/** LISTEN_HOST → where this machine reaches the server, and the URL said for it (libs/platform/src/local-url.ts). */
import { bindsEverywhere, localHost, localUrl } from './local-url';

it.each([
  // listen host, connect to, url, bound everywhere
  ['0.0.0.0', '127.0.0.1', 'http://127.0.0.1:8080', true],
  ['::', '127.0.0.1', 'http://127.0.0.1:8080', true],
  ['', '127.0.0.1', 'http://127.0.0.1:8080', true],
  ['::0', '127.0.0.1', 'http://127.0.0.1:8080', true],
  ['0:0:0:0:0:0:0:0', '127.0.0.1', 'http://127.0.0.1:8080', true],
  ['::ffff:0.0.0.0', '127.0.0.1', 'http://127.0.0.1:8080', true],
  ['127.0.0.1', '127.0.0.1', 'http://127.0.0.1:8080', false],
  ['10.1.2.3', '10.1.2.3', 'http://10.1.2.3:8080', false],
  ['localhost', 'localhost', 'http://localhost:8080', false],
  ['::1', '::1', 'http://[::1]:8080', false],
  ['fd00::2', 'fd00::2', 'http://[fd00::2]:8080', false],
  ['0::1', '0::1', 'http://[0::1]:8080', false],
  ['::ffff:127.0.0.1', '::ffff:127.0.0.1', 'http://[::ffff:127.0.0.1]:8080', false],
  ['fe80::fc:ff:fe00:1%eth0', 'fe80::fc:ff:fe00:1%eth0', 'http://[fe80::fc:ff:fe00:1%25eth0]:8080', false],
])('LISTEN_HOST %j: connect to %s, say %s', (listenHost, host, url, everywhere) => {
  expect(localHost(listenHost)).toBe(host);
  expect(localUrl(listenHost, 8080)).toBe(url);
  expect(bindsEverywhere(listenHost)).toBe(everywhere);
});
