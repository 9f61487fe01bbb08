import { normalizePhone } from '@hookbus/providers/octapush/octapush-phone';
import { maskDeep, maskText, personalDataView } from '../personal-data-mask';
import { renderBody } from '../views/request-body';

/**
 * Security review (issue 20: "viewer reads with phone numbers and emails masked"): values a viewer sees unmasked.
 * Each case is a shape a provider, an Octapush body template the customer writes, or a customer filling a form
 * really sends. The numbers are fictional; each must not appear in the masked text.
 */
const viewer = personalDataView(true);

describe('masking gaps a viewer sees through', () => {
  it('masks a phone number sent as a JSON number (an Octapush template `{"phone": {phone}}` without quotes)', () => {
    const body = Buffer.from('{"status":"Delivered","phone":306912345678,"msisdn":447911123456}');
    const page = renderBody(body, 'application/json', viewer).markup;
    expect(page).not.toContain('306912345678');
    expect(page).not.toContain('447911123456');
  });

  it('masks a national number under a field whose name does not say phone (recipient, to, number) and in XML', () => {
    const json = JSON.stringify(maskDeep({ recipient: '0612345678', to: '6912345678' }));
    expect(json).not.toContain('0612345678');
    expect(json).not.toContain('6912345678');
    const xml = renderBody(Buffer.from('<sms><to>0612345678</to><status>Delivered</status></sms>'), 'text/xml', viewer).markup;
    expect(xml).not.toContain('0612345678');
  });

  it('masks the communication id an Octapush source without defaultPhoneRegion makes of a national number', () => {
    // normalizePhone keeps a number it cannot place as its digits: the message key, the communication id, every
    // event subject and transition key of that message then carry the number as written.
    const communicationId = `octapush:sms:${normalizePhone('06 12 34 56 78', null)}`;
    expect(communicationId).toBe('octapush:sms:0612345678');
    expect(maskText(communicationId)).not.toContain('0612345678');
  });

  it('masks URL-encoded phone numbers and emails (a header such as referer or x-callback-url, a text body)', () => {
    const header = 'https://crm.example/cb?phone=%2B447911123456&email=maria.p%40example.com';
    const masked = maskText(header);
    expect(masked).not.toContain('447911123456');
    expect(masked).not.toContain('maria.p');
  });

  it('masks a number glued to a word character or written with other separators', () => {
    for (const text of ['ref_+447911123456', 'tel:+44/7911/123456', '+44\u00a07911\u00a0123456', 'id=x447911123456']) {
      expect(maskText(text).replace(/\D/g, '')).not.toContain('7911123456');
    }
  });

  it('masks the local part of an email address with non-ASCII letters whole', () => {
    expect(maskText('jürgen.müller@example.de')).not.toContain('jürgen');
  });

  it('masks every value under a personal field, also when it is an object or a list of objects', () => {
    const masked = JSON.stringify(maskDeep({ phone: { number: '6912345678', country: 'GR' }, mobile: [{ value: '6912345678' }] }));
    expect(masked).not.toContain('6912345678');
  });

  it('masks phone numbers and emails used as JSON object keys (a status per recipient)', () => {
    const page = renderBody(Buffer.from('{"results":{"+306912345678":"Delivered","maria.p@example.com":"Opened"}}'), 'application/json', viewer).markup;
    expect(page).not.toContain('306912345678');
    expect(page).not.toContain('maria.p@');
  });
});
