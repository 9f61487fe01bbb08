import { sourceTemplates } from '@hookbus/config';
import { PROBLEM_CONTENT_TYPE, accepted, problemDetails, refusal, type RefusalStatus } from './gateway-reply';

const credas = sourceTemplates().find((s) => s.id === 'credas-process')!;
const cellosign = sourceTemplates().find((s) => s.id === 'cellosign')!;

describe('refusal', () => {
  it.each<[RefusalStatus, string]>([
    [400, 'Bad Request'],
    [401, 'Unauthorized'],
    [404, 'Not Found'],
    [405, 'Method Not Allowed'],
    [413, 'Content Too Large'],
    [415, 'Unsupported Media Type'],
    [429, 'Too Many Requests'],
    [503, 'Service Unavailable'],
  ])('%s is RFC 9457 problem details titled %s', (status, title) => {
    const reply = refusal(credas, status, 'why');
    expect(reply.status).toBe(status);
    expect(reply.headers['content-type']).toBe(PROBLEM_CONTENT_TYPE);
    expect(JSON.parse(reply.body)).toEqual({ type: expect.stringMatching(/^urn:hookbus:problem:[a-z-]+$/), title, status, detail: 'why' });
  });

  it('adds Retry-After and Allow when given', () => {
    expect(refusal(credas, 503, 'later', { retryAfterSeconds: 5 }).headers['retry-after']).toBe('5');
    expect(refusal(credas, 405, 'no', { allow: ['POST'] }).headers.allow).toBe('POST');
  });

  it('names the quarantine receipt so a refused request can be found', () => {
    expect(JSON.parse(refusal(credas, 400, 'bad', { receiptId: 'r-1' }).body).receiptId).toBe('r-1');
  });

  it("answers Cellosign in its own format with the same status", () => {
    const reply = refusal(cellosign, 413, 'too large', { receiptId: 'r-1' });
    expect(reply.status).toBe(413);
    expect(reply.body).toBe('{"status":"-1","errordesc":"too large"}');
  });

  it('uses problem details when the source is unknown', () => {
    expect(JSON.parse(refusal(null, 404, 'none').body).status).toBe(404);
  });
});

describe('accepted', () => {
  it('answers the receipt id', () => {
    expect(JSON.parse(accepted(credas, '0190a0b2-0000-7000-8000-000000000000').body)).toEqual({ receiptId: '0190a0b2-0000-7000-8000-000000000000' });
  });
  it("answers Cellosign's exact success body", () => {
    expect(accepted(cellosign, 'r').body).toBe('{"status":"0","errordesc":""}');
  });
  it('problem details never carry more than the RFC members and the receipt', () => {
    expect(Object.keys(problemDetails(401, 'x'))).toEqual(['type', 'title', 'status', 'detail']);
  });
});
