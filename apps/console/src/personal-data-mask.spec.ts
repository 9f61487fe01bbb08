import { maskDeep, maskEmail, maskPhone, maskQuery, maskText, personalDataView } from './personal-data-mask';

describe('personal data masking', () => {
  it('masks phone numbers and emails in text, keeping enough to tell them apart', () => {
    const masked = maskText('call +306912345678 or write to maria.p@example.com');
    expect(masked).not.toContain('+306912345678');
    expect(masked).not.toContain('maria.p@example.com');
    expect(masked).toContain(maskPhone('+306912345678'));
    expect(maskPhone('+306912345678')).toMatch(/^\+30•+78$/);
    expect(maskEmail('maria.p@example.com')).toBe('m•••@•••.com');
  });

  it('masks inside ids and JSON, by pattern and by field name', () => {
    const value = { communication_id: 'octapush:sms:+306912345678', data: { phone: '6912345678', email: 'a@b.gr', status: 'Delivered', addresses: [{ type: 'phone', value: '+15555550123' }] } };
    const masked = JSON.stringify(maskDeep(value));
    for (const secret of ['+306912345678', '6912345678', 'a@b.gr', '+15555550123']) expect(masked).not.toContain(secret);
    expect(masked).toContain('Delivered');
    expect(masked).toContain('octapush:sms:+30');
  });

  it('masks query parameters by name and pattern', () => {
    const masked = maskQuery('phone=%2B306912345678&customId=CAMPAIGN7-1');
    expect(masked).not.toContain('306912345678');
    expect(masked).toContain('customId=CAMPAIGN7-1');
  });

  it('leaves statuses alone, even in fields named like personal ones (smsStatus, emailStatusDescription, to)', () => {
    const value = { from: 'sent', to: 'delivered', smsStatus: 2, emailStatusDescription: 'Opened', emailStatus: 3 };
    expect(maskDeep(value)).toEqual(value);
  });

  it('leaves uuids, timestamps and counts alone', () => {
    const text = '0190f3a2-7b1c-7def-8abc-1234567890ab 2026-12-01T06:00:00.000Z 1048576 bytes';
    expect(maskText(text)).toBe(text);
  });

  it('an unmasked view changes nothing', () => {
    const view = personalDataView(false);
    expect(view.text('+306912345678')).toBe('+306912345678');
    expect(view.deep({ phone: '+306912345678' })).toEqual({ phone: '+306912345678' });
  });
});
