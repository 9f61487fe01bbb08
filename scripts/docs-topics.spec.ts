import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';
import { allTopics } from '@hookbus/contracts';
import { ASYNCAPI_PATH, EVENTS_HTML_PATH, TOPICS_MD_PATH, channelId, renderAsyncApi, renderEventsPage, renderTopicsMarkdown, repositoryRoot } from './docs-topics';

const REGENERATE = 'run `npm run docs:generate` and commit the result';

describe('docs generated from the topic declaration and the event contract', () => {
  const root = repositoryRoot();

  it.each([
    [ASYNCAPI_PATH, renderAsyncApi],
    [TOPICS_MD_PATH, renderTopicsMarkdown],
    [EVENTS_HTML_PATH, () => renderEventsPage(root)],
  ])('%s is current', (path, render) => {
    const committed = readFileSync(join(root, path), 'utf8');
    if (committed !== render()) throw new Error(`${path} differs from what scripts/docs-topics.ts renders: ${REGENERATE}`);
  });

  it('renders the same text twice (stable key order)', () => {
    expect(renderAsyncApi()).toBe(renderAsyncApi());
    expect(renderTopicsMarkdown()).toBe(renderTopicsMarkdown());
    expect(renderEventsPage(root)).toBe(renderEventsPage(root));
  });
});

describe('docs/asyncapi.yaml is a valid AsyncAPI 3 document of every topic', () => {
  const text = renderAsyncApi();

  it('parses and validates with @asyncapi/parser without errors', async () => {
    const { document, diagnostics } = await new Parser().parse(text);
    const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
    expect(errors.map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(document).toBeDefined();
    expect(document!.version()).toBe('3.0.0');
  });

  it('has one channel per declared topic, internal ones included, each with its key on every message', async () => {
    const { document } = await new Parser().parse(text);
    const channels = document!.channels();
    const addresses = channels.all().map((c) => c.address());
    expect(addresses.sort()).toEqual(allTopics().map((t) => t.name).sort());
    for (const topic of allTopics()) {
      const channel = channels.get(channelId(topic.name))!;
      expect(channel.messages().length).toBeGreaterThan(0);
      for (const message of channel.messages().all()) {
        const kafka = message.bindings().get('kafka');
        expect(kafka?.value()).toHaveProperty('key');
      }
    }
  });
});
