/**
 * docs/events/index.html: the AsyncAPI document (docs/asyncapi.yaml) as one static, self-contained HTML page: no
 * script, no stylesheet or font from elsewhere, no link leaving the repository. The AsyncAPI project's html-template
 * needs puppeteer (a browser download) and fetches at render time, so hookbus renders its own: a pure function of
 * the document, byte for byte the same on every run, so scripts/docs-topics.spec.ts can check the page is current.
 */

type Json = Record<string, unknown>;

/** The parts of an AsyncAPI 3.0 document this page shows (as docs/asyncapi.yaml holds them, $refs unresolved). */
export interface AsyncApiDocument {
  readonly asyncapi: string;
  readonly info: { readonly title: string; readonly version: string; readonly description?: string };
  readonly channels: Readonly<Record<string, Json>>;
  readonly operations?: Readonly<Record<string, Json>>;
  readonly components?: { readonly schemas?: Readonly<Record<string, Json>>; readonly messages?: Readonly<Record<string, Json>> };
}

/** A released topic still written beside its successor (contracts/deprecations.json, docs/compatibility.md). */
export interface DeprecatedTopic {
  readonly topic: string;
  readonly successor: string;
  readonly writtenUntil: string;
  readonly reason: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Anchor ids: one namespace per kind, characters HTML ids and URL fragments both take as they are. */
export function anchor(kind: 'channel' | 'message' | 'schema', name: string): string {
  return `${kind}-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

function link(kind: 'channel' | 'message' | 'schema', name: string, text: string = name): string {
  return `<a href="#${anchor(kind, name)}">${escapeHtml(text)}</a>`;
}

/** `#/components/schemas/X` → X; `#/components/messages/Y` → Y; null for anything else. */
function refName(ref: unknown, section: 'schemas' | 'messages'): string | null {
  if (typeof ref !== 'string') return null;
  const prefix = `#/components/${section}/`;
  return ref.startsWith(prefix) ? ref.slice(prefix.length) : null;
}

function literal(value: unknown): string {
  return `<code>${escapeHtml(JSON.stringify(value))}</code>`;
}

/** One line saying what values a schema allows: its type, const or enum, alternatives, or a link to a component. */
export function typeSummary(schema: unknown): string {
  if (schema === true || (isObject(schema) && Object.keys(schema).length === 0)) return 'any';
  if (schema === false) return 'never present';
  if (!isObject(schema)) return escapeHtml(String(schema));
  const ref = refName(schema.$ref, 'schemas');
  if (ref !== null) return link('schema', ref);
  if ('const' in schema) return `const ${literal(schema.const)}`;
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map(literal).join(', ')}`;
  for (const combinator of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(schema[combinator])) return (schema[combinator] as unknown[]).map(typeSummary).join(' or ');
  }
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === 'string' ? [schema.type] : [];
  const base = types.length === 0 ? 'any' : types.map((t) => (t === 'array' && isObject(schema.items) ? `array of ${typeSummary(schema.items)}` : t)).join(' | ');
  return typeof schema.format === 'string' ? `${base} (${escapeHtml(schema.format)})` : base;
}

const CONSTRAINTS = ['pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems', 'uniqueItems'] as const;

/** Description and constraints of one field, as one cell. */
function notes(schema: unknown): string {
  if (!isObject(schema)) return '';
  const parts: string[] = [];
  if (typeof schema.description === 'string') parts.push(escapeHtml(schema.description));
  for (const keyword of CONSTRAINTS) if (keyword in schema) parts.push(`${keyword} ${literal(schema[keyword])}`);
  if (schema.additionalProperties === false && isObject(schema.properties)) parts.push('no other fields');
  return parts.join('<br>');
}

interface FieldRow {
  readonly name: string;
  readonly required: boolean;
  readonly type: string;
  readonly notes: string;
}

/** The fields of an object schema, nested objects and arrays of objects flattened into dotted names. */
export function fieldRows(schema: unknown, prefix = ''): FieldRow[] {
  if (!isObject(schema)) return [];
  const rows: FieldRow[] = [];
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const props = isObject(schema.properties) ? schema.properties : {};
  for (const [name, field] of Object.entries(props)) {
    const path = `${prefix}${name}`;
    rows.push({ name: path, required: required.has(name), type: typeSummary(field), notes: notes(field) });
    if (!isObject(field) || '$ref' in field) continue;
    if (isObject(field.properties)) rows.push(...fieldRows(field, `${path}.`));
    if (isObject(field.items) && isObject(field.items.properties)) rows.push(...fieldRows(field.items, `${path}[].`));
  }
  if (isObject(schema.additionalProperties)) {
    rows.push({ name: `${prefix}*`, required: false, type: typeSummary(schema.additionalProperties), notes: 'any other field' });
  }
  return rows;
}

function fieldTable(schema: unknown): string {
  const rows = fieldRows(schema);
  if (rows.length === 0) return '';
  return [
    '<table class="fields">',
    '<thead><tr><th>field</th><th>required</th><th>type</th><th>notes</th></tr></thead>',
    '<tbody>',
    ...rows.map((r) => `<tr><td><code>${escapeHtml(r.name)}</code></td><td>${r.required ? 'yes' : ''}</td><td>${r.type}</td><td>${r.notes}</td></tr>`),
    '</tbody>',
    '</table>',
  ].join('\n');
}

/** Key order kept as the document has it: the YAML is generated with a stable order already. */
function jsonBlock(schema: unknown): string {
  return `<details><summary>JSON Schema</summary><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre></details>`;
}

/** A schema shown in a message: a component by link, an inline one by its summary and fields. */
function schemaCell(schema: unknown): string {
  const ref = isObject(schema) ? refName(schema.$ref, 'schemas') : null;
  if (ref !== null) return link('schema', ref);
  const table = fieldTable(schema);
  const description = notes(schema);
  return [typeSummary(schema), description, table].filter((part) => part !== '').join('<br>\n');
}

function paragraphs(text: string | undefined): string {
  if (text === undefined || text === '') return '';
  return text
    .split(/\n\s*\n/)
    .map((p) => `<p>${escapeHtml(p.trim())}</p>`)
    .join('\n');
}

function definitionTable(rows: ReadonlyArray<readonly [string, string]>): string {
  return ['<table class="facts">', ...rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${v}</td></tr>`), '</table>'].join('\n');
}

function kafkaTopicFacts(channel: Json): Array<[string, string]> {
  const kafka = isObject(channel.bindings) && isObject(channel.bindings.kafka) ? channel.bindings.kafka : {};
  const config = isObject(kafka.topicConfiguration) ? kafka.topicConfiguration : {};
  const facts: Array<[string, string]> = [];
  if (kafka.partitions !== undefined) facts.push(['partitions', escapeHtml(String(kafka.partitions))]);
  for (const [name, value] of Object.entries(config)) facts.push([name, escapeHtml(Array.isArray(value) ? value.join(', ') : String(value))]);
  return facts;
}

function operationsByChannel(document: AsyncApiDocument): Map<string, string[]> {
  const byChannel = new Map<string, string[]>();
  for (const operation of Object.values(document.operations ?? {})) {
    const ref = isObject(operation.channel) ? operation.channel.$ref : undefined;
    if (typeof ref !== 'string' || !ref.startsWith('#/channels/')) continue;
    const id = ref.slice('#/channels/'.length);
    const line = `${escapeHtml(String(operation.action ?? ''))}${typeof operation.summary === 'string' ? `: ${escapeHtml(operation.summary)}` : ''}`;
    byChannel.set(id, [...(byChannel.get(id) ?? []), line]);
  }
  return byChannel;
}

function channelSection(id: string, channel: Json, operations: readonly string[], deprecated: DeprecatedTopic | undefined): string {
  const address = String(channel.address ?? id);
  const messages = isObject(channel.messages) ? Object.entries(channel.messages) : [];
  const messageLinks = messages.map(([name, m]) => {
    const target = isObject(m) ? refName(m.$ref, 'messages') : null;
    return `<li>${link('message', target ?? name)}</li>`;
  });
  const facts: Array<[string, string]> = [...kafkaTopicFacts(channel), ...operations.map((o) => ['operation', o] as [string, string])];
  if (deprecated) facts.push(['deprecated', `written until ${escapeHtml(deprecated.writtenUntil)}; successor ${link('channel', deprecated.successor)}: ${escapeHtml(deprecated.reason)}`]);
  return [
    `<section id="${anchor('channel', address)}">`,
    `<h3><code>${escapeHtml(address)}</code>${deprecated ? ' <span class="deprecated">deprecated</span>' : ''}</h3>`,
    paragraphs(typeof channel.description === 'string' ? channel.description : undefined),
    definitionTable(facts),
    `<p>Messages:</p>\n<ul>\n${messageLinks.join('\n')}\n</ul>`,
    '</section>',
  ].join('\n');
}

function messageSection(name: string, message: Json): string {
  const kafka = isObject(message.bindings) && isObject(message.bindings.kafka) ? message.bindings.kafka : {};
  const facts: Array<[string, string]> = [
    ['content type', `<code>${escapeHtml(String(message.contentType ?? ''))}</code>`],
    ['key', schemaCell(kafka.key)],
    ['headers', schemaCell(message.headers)],
    ['value', schemaCell(message.payload)],
  ];
  return [
    `<section id="${anchor('message', name)}">`,
    `<h3>${escapeHtml(name)}</h3>`,
    paragraphs(typeof message.summary === 'string' ? message.summary : undefined),
    definitionTable(facts),
    '</section>',
  ].join('\n');
}

function schemaSection(name: string, schema: Json): string {
  return [
    `<section id="${anchor('schema', name)}">`,
    `<h3>${escapeHtml(name)}</h3>`,
    paragraphs(typeof schema.description === 'string' ? schema.description : undefined),
    `<p>${typeSummary({ ...schema, description: undefined })}</p>`,
    fieldTable(schema),
    jsonBlock(schema),
    '</section>',
  ]
    .filter((part) => part !== '')
    .join('\n');
}

const STYLE = [
  'body{font-family:system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem 2rem;line-height:1.45;color:#1b1f24}',
  'code,pre{font-family:ui-monospace,monospace;font-size:.9em}',
  'pre{background:#f5f6f8;padding:.75rem;overflow:auto}',
  'table{border-collapse:collapse;margin:.5rem 0}',
  'th,td{border:1px solid #d0d4da;padding:.25rem .5rem;text-align:left;vertical-align:top}',
  'table.facts th{background:#f5f6f8;white-space:nowrap}',
  'section{border-top:1px solid #d0d4da;margin-top:1.5rem}',
  '.deprecated{background:#fde7c2;font-size:.75em;padding:.1rem .4rem}',
].join('\n');

/** The whole page. Same document and deprecations in, same bytes out. */
export function renderEventsHtml(document: AsyncApiDocument, deprecations: readonly DeprecatedTopic[] = []): string {
  const channels = Object.entries(document.channels);
  const messages = Object.entries(document.components?.messages ?? {});
  const schemas = Object.entries(document.components?.schemas ?? {});
  const operations = operationsByChannel(document);
  const deprecatedByTopic = new Map(deprecations.map((d) => [d.topic, d]));
  const title = `${document.info.title} ${document.info.version}: events`;

  const deprecationRows = deprecations.map(
    (d) => `<tr><td>${link('channel', d.topic)}</td><td>${link('channel', d.successor)}</td><td>${escapeHtml(d.writtenUntil)}</td><td>${escapeHtml(d.reason)}</td></tr>`,
  );
  const contents = channels.map(([id, c]) => `<li>${link('channel', String(c.address ?? id), String(c.address ?? id))}</li>`);

  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>\n${STYLE}\n</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p>AsyncAPI ${escapeHtml(document.asyncapi)}, rendered from <a href="../asyncapi.yaml">docs/asyncapi.yaml</a> by scripts/events-html.ts (<code>npm run docs:generate</code>); do not edit by hand. Compatibility policy: <a href="../compatibility.md">docs/compatibility.md</a>.</p>`,
    paragraphs(document.info.description),
    '<h2 id="deprecations">Deprecated topics</h2>',
    deprecations.length === 0
      ? '<p>None: every topic is current.</p>'
      : ['<table>', '<thead><tr><th>topic</th><th>successor</th><th>written until</th><th>why</th></tr></thead>', '<tbody>', ...deprecationRows, '</tbody>', '</table>'].join('\n'),
    '<h2 id="topics">Topics</h2>',
    `<ul>\n${contents.join('\n')}\n</ul>`,
    ...channels.map(([id, c]) => channelSection(id, c, operations.get(id) ?? [], deprecatedByTopic.get(String(c.address ?? id)))),
    '<h2 id="messages">Messages</h2>',
    ...messages.map(([name, m]) => messageSection(name, m)),
    '<h2 id="schemas">Schemas</h2>',
    ...schemas.map(([name, s]) => schemaSection(name, s)),
    '</body>',
    '</html>',
    '',
  ]
    .filter((part) => part !== '')
    .join('\n');
}
