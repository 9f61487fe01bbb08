import { startHarness, type Harness } from './console-harness';

const USER = [{ name: 'viewer', role: 'viewer', password: 'viewer-password-123', params: { N: 1024, r: 8, p: 1 } }];

describe('Strict-Transport-Security', () => {
  let secure: Harness;
  let plain: Harness;
  beforeAll(async () => {
    secure = await startHarness(USER, '', { CONSOLE_COOKIE_SECURE: 'true' });
    plain = await startHarness(USER);
  });
  afterAll(async () => {
    await secure.close();
    await plain.close();
  });

  it('is sent when the session cookie is Secure (the console is behind TLS), and not on plain http', async () => {
    expect((await secure.request('/login')).headers.get('strict-transport-security')).toBe('max-age=31536000');
    expect((await plain.request('/login')).headers.get('strict-transport-security')).toBeNull();
  });
});
