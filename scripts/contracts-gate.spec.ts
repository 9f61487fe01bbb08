import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from './docs-topics';
import {
  RELEASED_PATH,
  canonical,
  deprecationsAfterRelease,
  releaseSnapshot,
  snapshotChangeProblems,
  checkCurrent,
  compareContracts,
  describeBreak,
  readDeprecations,
  readReleased,
  topicVersion,
  type BreakingKind,
  type ContractSnapshot,
  type Deprecation,
  type MessageSnapshot,
  type Schema,
  type TopicSnapshot,
} from './contracts-gate';

const TODAY = '2026-11-30';

/** A small released contract: one versioned event topic, one unversioned raw topic. */
function thingMessage(): MessageSnapshot {
  return {
    contentType: 'application/cloudevents+json',
    encoding: 'json',
    key: { type: 'string', minLength: 1, pattern: '^thing:.+$', description: 'thingId' },
    headers: { type: 'object', required: ['hookbus-receipt-id'], properties: { 'hookbus-receipt-id': { type: 'string' } }, additionalProperties: { type: 'string' } },
    payload: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'status', 'data'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        status: { enum: ['sent', 'delivered'] },
        source: { const: '/webhooks/things' },
        note: { type: ['string', 'null'] },
        receiptid: { anyOf: [{ type: 'string', format: 'uuid' }, { const: '' }] },
        blob: { type: 'string', contentEncoding: 'base64' },
        prev: { anyOf: [{ enum: ['a', 'b', 'c'] }, { type: 'null' }] },
        data: {
          type: 'object',
          required: ['amount'],
          properties: {
            amount: { type: 'number' },
            count: { type: 'integer', minimum: 0 },
            title: { type: 'string' },
            tags: { type: 'array', items: { type: 'string' }, uniqueItems: true },
          },
        },
      },
      // As events.transitions.v1: per-status rules in if/then/else.
      allOf: [
        {
          if: { properties: { status: { const: 'sent' } } },
          then: { properties: { receiptid: { type: 'string', pattern: '^r:' }, prev: { anyOf: [{ enum: ['a', 'b'] }, { type: 'null' }] } } },
          else: { properties: { prev: { anyOf: [{ enum: ['c', 'd'] }] } } },
        },
      ],
    },
  };
}

function released(): ContractSnapshot {
  return {
    release: '1.0.0',
    releasedOn: '2026-11-01',
    topics: {
      'events.things.v1': { key: 'thingId', firstReleasedOn: '2026-01-01', messages: { thing: thingMessage() } },
      'webhooks.raw.things': { key: 'entity id', firstReleasedOn: '2026-01-01', messages: { rawThing: { contentType: 'application/octet-stream', encoding: 'bytes', key: { type: 'string' }, headers: { type: 'object' }, payload: { type: 'string', format: 'binary' } } } },
    },
  };
}

type Mutable<T> = { -readonly [K in keyof T]: Mutable<T[K]> };
type Draft = Mutable<ContractSnapshot>;

/** The released contract, changed by `change` (on a deep copy). */
function changed(change: (draft: Draft) => void): ContractSnapshot {
  const draft = structuredClone(released()) as Draft;
  change(draft);
  return draft;
}

const thing = (d: Draft): Mutable<MessageSnapshot> => d.topics['events.things.v1']!.messages.thing!;
const payload = (d: Draft): Record<string, any> => thing(d).payload as Record<string, any>;
const props = (d: Draft): Record<string, Schema> => payload(d).properties;

function kinds(current: ContractSnapshot, deprecations: Deprecation[] = [], today = TODAY): Array<[string, BreakingKind]> {
  return compareContracts(released(), current, deprecations, today).map((b) => [`${b.topic} ${b.path}`.trim(), b.kind]);
}

const kinds2 = (breaks: ReturnType<typeof compareContracts>): Array<[string, BreakingKind]> => breaks.map((b) => [`${b.topic} ${b.path}`.trim(), b.kind]);

describe('compareContracts: each kind of break is caught', () => {
  it.each<[string, (d: Draft) => void, Array<[string, BreakingKind]>]>([
    ['a removed field', (d) => void delete props(d).note, [['events.things.v1 thing.payload.note', 'field-removed']]],
    ['a removed required field', (d) => { delete props(d).id; payload(d).required = ['status', 'data']; }, [['events.things.v1 thing.payload.id', 'field-removed']]],
    [
      'a renamed field',
      (d) => { props(d).comment = props(d).note!; delete props(d).note; },
      [['events.things.v1 thing.payload.note', 'field-renamed']],
    ],
    [
      'a renamed required field',
      (d) => { props(d).identifier = props(d).id!; delete props(d).id; payload(d).required = ['identifier', 'status', 'data']; },
      [['events.things.v1 thing.payload.id', 'field-renamed']],
    ],
    ['a type change', (d) => { (props(d).data!.properties as Record<string, Schema>).amount = { type: 'string' }; }, [['events.things.v1 thing.payload.data.amount', 'type-changed']]],
    ['a field made nullable', (d) => void (props(d).id = { type: ['string', 'null'], format: 'uuid' }), [['events.things.v1 thing.payload.id', 'type-changed']]],
    ['an array item type change', (d) => { (props(d).data!.properties as Record<string, any>).tags.items.type = 'number'; }, [['events.things.v1 thing.payload.data.tags[]', 'type-changed']]],
    ['a new required field', (d) => { props(d).region = { type: 'string' }; payload(d).required.push('region'); }, [['events.things.v1 thing.payload.region', 'new-required-field']]],
    ['an optional field made required', (d) => void payload(d).required.push('note'), [['events.things.v1 thing.payload.note', 'new-required-field']]],
    ['a new required header', (d) => { (thing(d).headers as any).required.push('hookbus-trace'); }, [['events.things.v1 thing.headers.hookbus-trace', 'new-required-field']]],
    ['a required field made optional', (d) => void (payload(d).required = ['id', 'status']), [['events.things.v1 thing.payload.data', 'field-made-optional']]],
    ['a narrowed enum', (d) => void (props(d).status = { enum: ['sent'] }), [['events.things.v1 thing.payload.status', 'enum-narrowed']]],
    ['a changed const', (d) => void (props(d).source = { const: '/webhooks/stuff' }), [['events.things.v1 thing.payload.source', 'enum-narrowed']]],
    ['an enum on a field that had none', (d) => void (props(d).note = { type: ['string', 'null'], enum: ['a', null] }), [['events.things.v1 thing.payload.note', 'enum-narrowed']]],
    ['a removed anyOf alternative', (d) => void (props(d).receiptid = { anyOf: [{ type: 'string', format: 'uuid' }] }), [['events.things.v1 thing.payload.receiptid', 'type-changed']]],
    ['a changed format', (d) => void (props(d).id = { type: 'string', format: 'uri' }), [['events.things.v1 thing.payload.id', 'constraint-changed']]],
    ['a changed key pattern', (d) => void (thing(d).key = { ...thing(d).key, pattern: '^item:.+$' }), [['events.things.v1 thing.key', 'key-changed']]],
    ['a changed key type', (d) => void (thing(d).key = { type: ['string', 'null'] }), [['events.things.v1 thing.key', 'key-changed']]],
    ['a changed topic key', (d) => void (d.topics['events.things.v1']!.key = 'ownerId'), [['events.things.v1', 'key-changed']]],
    ['a changed content type', (d) => void (thing(d).contentType = 'application/json'), [['events.things.v1 thing', 'content-type-changed']]],
    ['a removed message', (d) => void delete d.topics['events.things.v1']!.messages.thing, [['events.things.v1 thing', 'message-removed']]],
    // Inside conditionals and the other subschema keywords.
    ['a changed pattern inside then', (d) => void (payload(d).allOf[0].then.properties.receiptid.pattern = '^s:'), [['events.things.v1 thing.payload.allOf[0].then.receiptid', 'constraint-changed']]],
    ['an enum cut inside else', (d) => void (payload(d).allOf[0].else.properties.prev.anyOf[0].enum = ['c']), [['events.things.v1 thing.payload.allOf[0].else.prev.anyOf[0]', 'enum-narrowed']]],
    ['null dropped from an anyOf inside then', (d) => void payload(d).allOf[0].then.properties.prev.anyOf.pop(), [['events.things.v1 thing.payload.allOf[0].then.prev', 'type-changed']]],
    ['a changed if const', (d) => void (payload(d).allOf[0].if.properties.status.const = 'delivered'), [['events.things.v1 thing.payload.allOf[0].if.status', 'enum-narrowed']]],
    ['an else removed', (d) => void delete payload(d).allOf[0].else, [['events.things.v1 thing.payload.allOf[0].else', 'constraint-changed']]],
    ['a not added', (d) => void (props(d).note = { ...props(d).note, not: { const: '' } }), [['events.things.v1 thing.payload.note.not', 'constraint-changed']]],
    ['a changed $defs entry', (d) => void (payload(d).$defs = { id: { type: 'string' } }), [['events.things.v1 thing.payload.$defs["id"]', 'constraint-changed']]],
    ['prefixItems added', (d) => void ((props(d).data!.properties as Record<string, any>).tags.prefixItems = [{ const: 'first' }]), [['events.things.v1 thing.payload.data.tags[0]', 'constraint-changed']]],
    ['patternProperties added', (d) => void ((thing(d).headers as any).patternProperties = { '^x-': { type: 'number' } }), [['events.things.v1 thing.headers.patternProperties["^x-"]', 'constraint-changed']]],
    ['dependentRequired added', (d) => void (payload(d).dependentRequired = { note: ['source'] }), [['events.things.v1 thing.payload', 'constraint-changed']]],
    // Fail closed: keywords without a specific check are compared by value.
    ['a removed contentEncoding', (d) => void (props(d).blob = { type: 'string' }), [['events.things.v1 thing.payload.blob', 'constraint-changed']]],
    ['a dropped uniqueItems', (d) => void delete (props(d).data!.properties as Record<string, any>).tags.uniqueItems, [['events.things.v1 thing.payload.data.tags', 'constraint-changed']]],
    ['a changed minimum (fail closed: even a relaxed one)', (d) => void ((props(d).data!.properties as Record<string, any>).count.minimum = -1), [['events.things.v1 thing.payload.data.count', 'constraint-changed']]],
    // Nullable however it is spelled.
    ['null added as an anyOf alternative', (d) => void (props(d).receiptid = { anyOf: [{ type: 'string', format: 'uuid' }, { const: '' }, { type: 'null' }] }), [['events.things.v1 thing.payload.receiptid', 'type-changed']]],
    ['null added to an enum', (d) => void (props(d).status = { enum: ['sent', 'delivered', null] }), [['events.things.v1 thing.payload.status', 'type-changed']]],
    ['a number admitted beside a string', (d) => void (props(d).receiptid = { anyOf: [{ type: 'string', format: 'uuid' }, { const: '' }, { type: 'number' }] }), [['events.things.v1 thing.payload.receiptid', 'type-changed']]],
    // Annotations are stripped only where a schema is: a property called title is a field.
    ['a removed field called title', (d) => void delete (props(d).data!.properties as Record<string, any>).title, [['events.things.v1 thing.payload.data.title', 'field-removed']]],
    ['an object with no additionalProperties (any field allowed) closed', (d) => void ((props(d).data as any).additionalProperties = false), [['events.things.v1 thing.payload.data.*', 'field-removed']]],
    ['additional fields no longer allowed in headers', (d) => void ((thing(d).headers as any).additionalProperties = false), [['events.things.v1 thing.headers.*', 'field-removed']]],
  ])('%s', (_name, change, expected) => {
    expect(kinds(changed(change))).toEqual(expected);
  });
});

describe('canonical: annotations are stripped only where a schema is', () => {
  it.each<[string, Schema, Schema, boolean]>([
    ['a description of a schema', { type: 'string', description: 'a' }, { type: 'string' }, true],
    ['a description inside properties.x', { properties: { x: { type: 'string', description: 'a' } } }, { properties: { x: { type: 'string' } } }, true],
    ['a property called title', { properties: { title: { type: 'string' } } }, { properties: {} }, false],
    ['a const object holding a description', { const: { description: 'a' } }, { const: { description: 'b' } }, false],
    ['an enum of objects holding examples', { enum: [{ examples: 1 }] }, { enum: [{}] }, false],
    ['enum and required in another order', { enum: ['a', 'b'], required: ['x', 'y'] }, { enum: ['b', 'a'], required: ['y', 'x'] }, true],
  ])('%s', (_name, a, b, same) => {
    expect(canonical(a) === canonical(b)).toBe(same);
  });
});

describe('compareContracts: additive changes pass', () => {
  it.each<[string, (d: Draft) => void]>([
    ['nothing changed', () => undefined],
    ['a new optional field', (d) => void (props(d).region = { type: 'string' })],
    ['a new optional nested field', (d) => void ((props(d).data!.properties as Record<string, Schema>).currency = { type: 'string' })],
    ['a widened enum', (d) => void (props(d).status = { enum: ['sent', 'delivered', 'read'] })],
    ['a const widened to an enum', (d) => void (props(d).source = { enum: ['/webhooks/things', '/webhooks/other'] })],
    ['a new anyOf alternative of an admitted type', (d) => void (props(d).receiptid = { anyOf: [{ type: 'string', format: 'uuid' }, { const: '' }, { const: 'none' }] })],
    ['anyOf alternatives reordered', (d) => void (props(d).receiptid = { anyOf: [{ const: '' }, { type: 'string', format: 'uuid' }] })],
    ['allOf parts and enum values reordered, required listed in another order', (d) => { payload(d).required = ['data', 'id', 'status']; props(d).status = { enum: ['delivered', 'sent'] }; }],
    ['a closed object opened', (d) => void delete payload(d).additionalProperties],
    ['an additionalProperties: true written out where it was absent', (d) => void ((props(d).data as any).additionalProperties = true)],
    ['new descriptions and titles', (d) => { props(d).id = { ...props(d).id, description: 'the event id', title: 'Id' }; thing(d).key = { ...thing(d).key, description: 'the thing' }; }],
    ['a new optional header', (d) => void ((thing(d).headers as any).properties['hookbus-trace'] = { type: 'string' })],
    ['a new message on a topic', (d) => void (d.topics['events.things.v1']!.messages.otherThing = thingMessage() as Mutable<MessageSnapshot>)],
    ['a new topic', (d) => void (d.topics['events.widgets.v1'] = structuredClone(d.topics['events.things.v1']!) as Mutable<TopicSnapshot>)],
  ])('%s', (_name, change) => {
    expect(kinds(changed(change))).toEqual([]);
  });
});

describe('compareContracts: a break goes into a new topic version, the old one deprecated and still written', () => {
  /** events.things.v2 with a break (id renamed) beside an unchanged v1. */
  function bumped(d: Draft): void {
    const v2 = structuredClone(d.topics['events.things.v1']!) as Mutable<TopicSnapshot>;
    const p = v2.messages.thing!.payload as Record<string, any>;
    p.properties.thingId = p.properties.id;
    delete p.properties.id;
    p.required = ['thingId', 'status', 'data'];
    d.topics['events.things.v2'] = v2;
  }
  const deprecation: Deprecation = { topic: 'events.things.v1', successor: 'events.things.v2', writtenUntil: '2027-03-01', reason: 'id renamed to thingId' };

  it('passes: v2 declared, v1 still declared and unchanged, its deprecation period documented', () => {
    expect(kinds(changed(bumped), [deprecation])).toEqual([]);
  });

  it('fails: v2 declared without a deprecation entry for v1', () => {
    expect(kinds(changed(bumped))).toEqual([['events.things.v1', 'deprecation-missing']]);
  });

  it('fails: v1 removed without a deprecation entry', () => {
    expect(kinds(changed((d) => { bumped(d); delete d.topics['events.things.v1']; }))).toEqual([['events.things.v1', 'topic-removed']]);
  });

  it('fails: v1 removed in the change that adds v2, even with an entry whose day has passed (v2 never shipped)', () => {
    const removed = changed((d) => { bumped(d); delete d.topics['events.things.v1']; });
    expect(kinds(removed, [{ ...deprecation, writtenUntil: '2026-11-29' }])).toEqual([['events.things.v1', 'topic-removed']]);
  });

  it('fails: a new entry whose period is shorter than 90 days from the release that ships v2', () => {
    const twoVersions = changed(bumped);
    const short: Deprecation = { ...deprecation, writtenUntil: '2027-01-29' };
    // v2 not released: the check counts from the last release (2026-11-01); the release itself from its own day.
    expect(kinds(twoVersions, [short])).toEqual([['events.things.v1', 'deprecation-invalid']]);
    expect(kinds(twoVersions, [{ ...deprecation, writtenUntil: '2027-01-30' }])).toEqual([]);
    expect(compareContracts(released(), twoVersions, [{ ...deprecation, writtenUntil: '2027-01-30' }], TODAY, '2026-12-01').map((b) => b.reason)).toEqual([
      'writtenUntil 2027-01-30 is less than 90 days after 2026-12-01, when events.things.v2 ships: at least 2027-03-01',
    ]);
  });

  it('the lifecycle: declare v2 with an entry, release, wait, remove v1, release (which drops the entry)', () => {
    const entries = [deprecation]; // written until 2027-03-01
    const withV2 = changed(bumped);
    // 1. v2 declared beside v1, the entry added; released on 2026-12-01 (90 days: 2027-03-01).
    expect(compareContracts(released(), withV2, entries, '2026-12-01', '2026-12-01')).toEqual([]);
    const first = releaseSnapshot(released(), withV2, '1.1.0', '2026-12-01');
    expect([first.topics['events.things.v1']!.firstReleasedOn, first.topics['events.things.v2']!.firstReleasedOn]).toEqual(['2026-01-01', '2026-12-01']);
    expect(deprecationsAfterRelease(entries, first)).toEqual(entries);
    // A later release does not move the start of the period.
    const later = releaseSnapshot(first, withV2, '1.1.1', '2027-01-15');
    expect(compareContracts(later, withV2, entries, '2027-01-15', '2027-01-15')).toEqual([]);
    // 2. v1 removed from the contract, the entry kept: not before the last day has passed.
    const withoutV1 = structuredClone(withV2) as Draft;
    delete withoutV1.topics['events.things.v1'];
    expect(compareContracts(later, withoutV1, entries, '2027-03-01').map((b) => b.kind)).toEqual(['topic-removed']);
    expect(compareContracts(later, withoutV1, entries, '2027-03-02', '2027-03-02')).toEqual([]);
    // 3. The release leaves v1 out and drops its entry; an entry kept after it would be invalid.
    const second = releaseSnapshot(later, withoutV1, '1.2.0', '2027-03-02');
    const kept = deprecationsAfterRelease(entries, second);
    expect(kept).toEqual([]);
    expect(compareContracts(second, withoutV1, kept, '2027-03-02')).toEqual([]);
    expect(compareContracts(second, withoutV1, entries, '2027-03-02').map((b) => b.kind)).toEqual(['deprecation-invalid']);
  });

  it('fails: v1 removed before its deprecation period ends (the last day included)', () => {
    const shipped = changed(bumped); // v2 released earlier
    const removed = changed((d) => { bumped(d); delete d.topics['events.things.v1']; });
    const compare = (today: string) => compareContracts(shipped, removed, [deprecation], today).map((b) => b.kind);
    expect(compare('2027-03-01')).toEqual(['topic-removed']);
    expect(compare('2027-03-02')).toEqual([]);
  });

  it('fails: the break made in v1 itself, v2 or not', () => {
    const broken = changed((d) => { bumped(d); delete props(d).note; });
    expect(kinds(broken, [deprecation])).toEqual([['events.things.v1 thing.payload.note', 'field-removed']]);
  });

  it('an unversioned topic is version 1: its successor is <name>.v2', () => {
    const rawV2 = changed((d) => void (d.topics['webhooks.raw.things.v2'] = structuredClone(d.topics['webhooks.raw.things']!) as Mutable<TopicSnapshot>));
    expect(kinds(rawV2)).toEqual([['webhooks.raw.things', 'deprecation-missing']]);
    expect(kinds(rawV2, [{ topic: 'webhooks.raw.things', successor: 'webhooks.raw.things.v2', writtenUntil: '2027-03-01', reason: 'new headers' }])).toEqual([]);
  });

  it.each<[string, Deprecation, string]>([
    ['a successor that is not declared', { ...deprecation, successor: 'events.things.v3' }, 'successor events.things.v3 is not a declared topic'],
    ['a successor of another topic', { ...deprecation, successor: 'webhooks.raw.things' }, 'successor webhooks.raw.things is not a higher version of events.things.v1'],
    ['a date that is not a date', { ...deprecation, writtenUntil: 'next spring' }, 'writtenUntil "next spring" is not a YYYY-MM-DD date'],
    ['no reason', { ...deprecation, reason: ' ' }, 'gives no reason'],
  ])('rejects a deprecation entry with %s', (_name, entry, reason) => {
    const breaks = compareContracts(released(), changed(bumped), [entry], TODAY);
    expect(breaks.filter((b) => b.kind === 'deprecation-invalid').map((b) => b.reason)).toEqual([reason]);
  });

  it.each([
    ['events.things.v1', 'events.things', 1],
    ['events.things.v12', 'events.things', 12],
    ['webhooks.raw.things', 'webhooks.raw.things', 1],
  ])('topicVersion(%s) is %s version %d', (name, base, version) => {
    expect(topicVersion(name)).toEqual({ base, version });
  });

  it('describes a break on one line naming topic, path, kind and reason', () => {
    const [change] = compareContracts(released(), changed((d) => void delete props(d).note), [], TODAY);
    expect(describeBreak(change!)).toBe('events.things.v1 thing.payload.note: field-removed: field removed');
  });
});

describe('snapshotChangeProblems: contracts/released.json changes only by a release', () => {
  const loosened = changed((d) => void (payload(d).required = ['id'])); // a hand edit letting a break through
  const added = changed((d) => void (props(d).region = { type: 'string' }));
  it.each<[string, ContractSnapshot, string, number]>([
    ['unchanged schemas, dates added (no new release needed)', { ...released(), releasedOn: '2026-11-02' }, '1.0.0', 0],
    ['a compatible release: new version, package.json says it', { ...added, release: '1.1.0' }, '1.1.0', 0],
    ['schemas changed under the same release', added, '1.0.0', 1],
    ['a version package.json does not say', { ...added, release: '1.1.0' }, '1.0.0', 1],
    ['a snapshot loosened by hand, even with a new version', { ...loosened, release: '1.1.0' }, '1.1.0', 2],
  ])('%s', (_name, current, packageVersion, problems) => {
    expect(snapshotChangeProblems(released(), current, [], packageVersion)).toHaveLength(problems);
  });
});

describe('the compatibility gate on this repository (contracts/released.json)', () => {
  const root = repositoryRoot();

  it('the current contract breaks no consumer of the last release', () => {
    const breaks = checkCurrent(root).map(describeBreak);
    if (breaks.length > 0) {
      throw new Error(`breaking changes against ${RELEASED_PATH} (release ${readReleased(root).release}); see docs/compatibility.md:\n${breaks.join('\n')}`);
    }
  });

  it('the snapshot holds, for every released topic, its key and each message\'s key, headers and value schema', () => {
    const snapshot = readReleased(root);
    expect(Object.keys(snapshot.topics)).toEqual(expect.arrayContaining(['events.communications.v1', 'events.processes.v1', 'events.checks.v1']));
    expect(snapshot.releasedOn).toMatch(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/);
    for (const [name, topic] of Object.entries(snapshot.topics)) {
      expect([name, typeof topic.key]).toEqual([name, 'string']);
      expect([name, topic.firstReleasedOn! <= snapshot.releasedOn!]).toEqual([name, true]);
      expect(Object.keys(topic.messages).length).toBeGreaterThan(0);
      for (const message of Object.values(topic.messages)) {
        expect(Object.keys(message).sort()).toEqual(['contentType', 'encoding', 'headers', 'key', 'payload']);
      }
    }
    // Self-contained: no reference to a schema outside the file.
    expect(readFileSync(join(root, RELEASED_PATH), 'utf8')).not.toContain('$ref');
  });

  // The reviewer's findings on the real events.transitions.v1 (its per-kind rules live in data.allOf[i].if/then/else).
  it.each<[string, (data: Record<string, any>, payload: Record<string, any>) => void, string, BreakingKind]>([
    ['the communication key pattern changed', (d) => void (d.allOf[0].then.properties.key.pattern = '^credas:.+$'), 'data.allOf[0].then.key', 'constraint-changed'],
    ['a process status cut from `from`', (d) => void d.allOf[0].else.properties.from.anyOf[0].enum.pop(), 'data.allOf[0].else.from.anyOf[0]', 'enum-narrowed'],
    ['null dropped from the communication `from`', (d) => void d.allOf[0].then.properties.from.anyOf.pop(), 'data.allOf[0].then.from', 'type-changed'],
    ['the if const changed', (d) => void (d.allOf[0].if.properties.kind.const = 'message'), 'data.allOf[0].if.kind', 'enum-narrowed'],
    ['the overdue seq minimum relaxed', (d) => void (d.allOf[1].else.properties.seq.minimum = 0), 'data.allOf[1].else.seq', 'constraint-changed'],
    ['null added to receiptid', (_d, p) => void p.properties.receiptid.anyOf.push({ type: 'null' }), 'receiptid', 'type-changed'],
  ])('on events.transitions.v1: %s is a break', (_name, change, path, kind) => {
    const snapshot = readReleased(root);
    const current = structuredClone(snapshot) as Draft;
    const message = Object.values(current.topics['events.transitions.v1']!.messages)[0]!;
    const value = message.payload as Record<string, any>;
    change(value.properties.data, value);
    const messageName = Object.keys(current.topics['events.transitions.v1']!.messages)[0]!;
    expect(kinds2(compareContracts(snapshot, current, [], TODAY))).toEqual([[`events.transitions.v1 ${messageName}.payload.${path}`, kind]]);
  });

  it('on events.transitions.v1: receiptid anyOf reversed is no change', () => {
    const snapshot = readReleased(root);
    const current = structuredClone(snapshot) as Draft;
    const value = Object.values(current.topics['events.transitions.v1']!.messages)[0]!.payload as Record<string, any>;
    value.properties.receiptid.anyOf.reverse();
    expect(compareContracts(snapshot, current, [], TODAY)).toEqual([]);
  });

  it('every deprecation entry is well formed (checked by the gate above) and the file is a list', () => {
    expect(Array.isArray(readDeprecations(root))).toBe(true);
  });
});
