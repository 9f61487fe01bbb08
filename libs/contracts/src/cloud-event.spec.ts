import fc from 'fast-check';
import { deterministicEventId } from './cloud-event';

describe('deterministicEventId', () => {
  // Ids already stored downstream and deduplicated on: any change to how they are computed must keep every one of these.
  it.each<[ReadonlyArray<string | Buffer>, string]>([
    [[], 'e3b0c442-98fc-8c14-9afb-f4c8996fb924'],
    [[''], 'ba768b33-1fd8-8cec-803b-e04e56ab2b3d'],
    [['hookbus.communication.status', 'octapush', 'sms:+306912345678:abc-123', 'delivered'], '49934521-3d13-81d7-90b7-d9d1dc92b173'],
    [['ab', 'c'], '430fb1b4-ac43-816e-8a81-fab27a1930ab'],
    [['a', 'bc'], '5310a587-8878-8ab2-9d5a-d7c3f8503582'],
    [['café', '\u{1F600}'], '9d19592b-b011-837d-8c76-3467de8f2cf6'],
    [['lone \ud800', '\udc00 low'], 'ea51341e-7a81-896d-91da-121e53ff4525'],
    [['x', Buffer.from([0, 1, 2, 255]), 'y'], '9dd854dd-d57f-82fe-8399-a0eaa44e71bb'],
    [['credas-process', 'POST', '', '', Buffer.alloc(3 * 1024 * 1024, 0x7b), 'email', 'lone \ud800'], '1316b8b5-d744-837e-854c-1d7a1e39ab3f'],
  ])('%# is the id it always was', (parts, id) => {
    expect(deterministicEventId(parts)).toBe(id);
  });

  it('length-prefixes its parts: moving bytes from one part to the next changes the id', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.string(), (a, moved, b) => {
        expect(deterministicEventId([a + moved, b])).not.toBe(deterministicEventId([a, moved + b]));
      }),
    );
  });

  it('is a version 8 UUID of the RFC 9562 variant', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), (parts) => {
        expect(deterministicEventId(parts)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      }),
    );
  });
});
