import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { loadTimeline } from '@hookbus/db';
import { TEST_DATABASE_URL } from '@hookbus/testing';

/** `npm run show`'s lookup against the real read model: the operator's argument is matched literally. */
let db: Client;
const run = randomUUID().slice(0, 8);
// Phone-like message keys of this run only; the first part of a message key is the phone number.
const ids = [`octapush:sms:+3069${run}1`, `octapush:sms:+3069${run}1:campaign-7`, `octapush:viber:+3069${run}2`, `octapush:sms:+3069${run}10`, `octapush:sms:_3069${run}1`];

beforeAll(async () => {
  db = new Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  for (const id of ids) {
    await db.query(
      `INSERT INTO hookbus.communications (communication_id, provider, channel, status, provider_status, final, seq, updated_at, state, state_offset)
       VALUES ($1, 'octapush', 'sms', 'delivered', '{}', true, 1, now(), '{}', 0)`,
      [id],
    );
  }
});

afterAll(async () => {
  await db.query('DELETE FROM hookbus.communications WHERE communication_id = ANY($1::text[])', [ids]);
  await db.end();
});

const found = async (key: string) => (await loadTimeline(db, key)).communications.map((c) => c.communication_id as string).filter((id) => ids.includes(id)).sort();

it('finds the communications of one phone number: the whole message key or its first part, nothing that merely starts alike', async () => {
  expect(await found(`+3069${run}1`)).toEqual([`octapush:sms:+3069${run}1`, `octapush:sms:+3069${run}1:campaign-7`].sort());
  expect(await found(`+3069${run}2`)).toEqual([`octapush:viber:+3069${run}2`]);
});

it.each([
  ['%', 'every communication'],
  [`+3069${run}%`, 'a range of phone numbers'],
  [`_3069${run}1`, 'a phone number with any first character'],
  [`+3069${run}_`, 'a one-character wildcard at the end'],
])('takes %s literally (as a pattern it would list %s)', async (key) => {
  const literal = ids.filter((id) => id === `octapush:sms:${key}` || id.startsWith(`octapush:sms:${key}:`) || id === `octapush:viber:${key}`);
  expect(await found(key)).toEqual(literal.sort());
});
