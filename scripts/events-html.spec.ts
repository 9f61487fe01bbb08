import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse } from 'yaml';
import { allTopics } from '@hookbus/contracts';
import { EVENTS_HTML_PATH, renderAsyncApi, repositoryRoot } from './docs-topics';
import { anchor, escapeHtml, fieldRows, renderEventsHtml, typeSummary, type AsyncApiDocument, type DeprecatedTopic } from './events-html';

describe('typeSummary: one line of what a schema allows', () => {
  it.each<[string, unknown, string]>([
    ['a type', { type: 'string' }, 'string'],
    ['a type with a format', { type: 'string', format: 'uuid' }, 'string (uuid)'],
    ['a nullable type', { type: ['string', 'null'] }, 'string | null'],
    ['an array of a type', { type: 'array', items: { type: 'integer' } }, 'array of integer'],
    ['a const', { const: '1.0' }, 'const <code>&quot;1.0&quot;</code>'],
    ['an enum', { enum: ['a', 'b'] }, 'one of <code>&quot;a&quot;</code>, <code>&quot;b&quot;</code>'],
    ['alternatives', { anyOf: [{ type: 'string', format: 'uuid' }, { const: '' }] }, 'string (uuid) or const <code>&quot;&quot;</code>'],
    ['a component reference', { $ref: '#/components/schemas/TransitionData' }, '<a href="#schema-TransitionData">TransitionData</a>'],
    ['anything', {}, 'any'],
    ['nothing', false, 'never present'],
  ])('%s', (_name, schema, expected) => {
    expect(typeSummary(schema)).toBe(expected);
  });
});

describe('fieldRows: the fields of an object, nested ones flattened', () => {
  it('names nested and array-item fields by path, marks required ones, lists other fields last', () => {
    const rows = fieldRows({
      type: 'object',
      required: ['id'],
      properties: {
        id: { type: 'string', description: 'the id' },
        data: { type: 'object', required: ['n'], properties: { n: { type: 'number' } } },
        items: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } } } },
        ref: { $ref: '#/components/schemas/X' },
      },
      additionalProperties: { type: 'string' },
    });
    expect(rows.map((r) => [r.name, r.required, r.type])).toEqual([
      ['id', true, 'string'],
      ['data', false, 'object'],
      ['data.n', true, 'number'],
      ['items', false, 'array of object'],
      ['items[].sku', false, 'string'],
      ['ref', false, '<a href="#schema-X">X</a>'],
      ['*', false, 'string'],
    ]);
    expect(rows[0]!.notes).toBe('the id');
  });
});

describe('escaping and anchors', () => {
  it.each([
    ['<b>&"</b>', '&lt;b&gt;&amp;&quot;&lt;/b&gt;'],
    ['plain', 'plain'],
  ])('escapeHtml(%s)', (text, expected) => expect(escapeHtml(text)).toBe(expected));

  it.each<['channel' | 'message' | 'schema', string, string]>([
    ['channel', 'events.checks.v1', 'channel-events-checks-v1'],
    ['message', 'credasRawWebhook', 'message-credasRawWebhook'],
    ['schema', 'TransitionData', 'schema-TransitionData'],
  ])('anchor(%s, %s)', (kind, name, expected) => expect(anchor(kind, name)).toBe(expected));
});

describe('the events page of this repository', () => {
  const document = parse(renderAsyncApi()) as AsyncApiDocument;
  const html = renderEventsHtml(document);

  it('is the same bytes on every render', () => {
    expect(renderEventsHtml(parse(renderAsyncApi()) as AsyncApiDocument)).toBe(html);
  });

  it('has a section per topic, message and schema, and every in-page link lands on one', () => {
    const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]!));
    for (const topic of allTopics()) expect(ids).toContain(anchor('channel', topic.name));
    for (const name of Object.keys(document.components!.messages!)) expect(ids).toContain(anchor('message', name));
    for (const name of Object.keys(document.components!.schemas!)) expect(ids).toContain(anchor('schema', name));
    const dangling = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!).filter((id) => !ids.has(id));
    expect(dangling).toEqual([]);
  });

  it('links nothing outside the repository: no scripts, no remote resources, relative links land on committed files', () => {
    expect(html).not.toMatch(/<script|<link|https?:\/\/|src=/i);
    const root = repositoryRoot();
    const relative = [...html.matchAll(/href="([^"#][^"]*)"/g)].map((m) => m[1]!);
    expect(relative.length).toBeGreaterThan(0);
    for (const target of relative) expect([target, existsSync(join(root, posix.join(posix.dirname(EVENTS_HTML_PATH), target)))]).toEqual([target, true]);
  });

  it('lists deprecated topics with successor and period, and marks their sections', () => {
    const deprecation: DeprecatedTopic = { topic: 'events.checks.v1', successor: 'events.checks.v2', writtenUntil: '2027-03-01', reason: 'entity id <changed>' };
    const page = renderEventsHtml(document, [deprecation]);
    expect(page).toContain('<tr><td><a href="#channel-events-checks-v1">events.checks.v1</a></td><td><a href="#channel-events-checks-v2">events.checks.v2</a></td><td>2027-03-01</td><td>entity id &lt;changed&gt;</td></tr>');
    expect(page).toContain('<h3><code>events.checks.v1</code> <span class="deprecated">deprecated</span></h3>');
    expect(html).toContain('<p>None: every topic is current.</p>');
  });
});
