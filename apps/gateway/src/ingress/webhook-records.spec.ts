import { publicHeadersJson, withoutQueryParam } from './webhook-records';
import { secretHeaderNames } from '../auth/source-authenticator';

describe('withoutQueryParam', () => {
  it.each([
    ['our-reference=1232323&token=s3cret', 'token', 'our-reference=1232323'],
    ['token=a&x=1&token=b', 'token', 'x=1'],
    ['x=%20a&to%6Ben=s', 'token', 'x=%20a'],
    ['phone=%2B447700900123&status=Delivered', 'token', 'phone=%2B447700900123&status=Delivered'],
    ['', 'token', ''],
    ['k=s&token=keep', 'k', 'token=keep'],
  ])('%s without %s is %s', (query, param, expected) => {
    expect(withoutQueryParam(query, param)).toBe(expected);
  });
  it('keeps the query as sent when the source has no token', () => {
    expect(withoutQueryParam('a=1&&b=2', null)).toBe('a=1&&b=2');
  });
});

describe('publicHeadersJson', () => {
  it('drops credentials, cookies, signatures and the configured auth header', () => {
    const json = publicHeadersJson(
      { 'content-type': 'application/json', authorization: 'Basic x', cookie: 'a=b', webhookauth: '123456', 'x-authvia-signature': 's', 'x-authvia-value': 'v', 'user-agent': 'Credas' },
      secretHeaderNames({ type: 'header', name: 'webhookauth', value: '123456' }),
    );
    expect(JSON.parse(json)).toEqual({ 'content-type': 'application/json', 'x-authvia-value': 'v', 'user-agent': 'Credas' });
  });
});
