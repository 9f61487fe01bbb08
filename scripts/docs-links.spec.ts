import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { repositoryRoot } from './docs-topics';

/*
 * Nothing in the repository may point outside it: provider facts live in docs/providers/, and every relative link in
 * the markdown, and every `docs/<page>.md#<section>` a comment cites, must land on a file (and heading) that is committed.
 */

/** Names of places outside the repository that comments once cited instead of the docs that now hold their facts. */
const OUTSIDE_REFERENCES: ReadonlyArray<readonly [RegExp, string]> = [
  [/PROVIDERS\.md/, 'a provider notes file outside the repository: cite docs/providers/<provider>.md'],
  [/\bseeds\//, 'a seed page outside the repository: cite docs/providers/<provider>.md or the fixture holding its example'],
  [/\bseed 00\d\b/, 'a seed page outside the repository: cite docs/providers/<provider>.md or the fixture holding its example'],
  [/\.\.\/shared\b/, 'a path outside the repository'],
  [/\/work\/shared\b/, 'a path outside the repository'],
  [/\bshared\/CONTRACT\.md|\bCONTRACT\.md/, 'the contract outside the repository: cite docs/contract.md'],
  [/\bSTYLE\.md/, 'a style guide outside the repository: cite ARCHITECTURE.md'],
];

const root = repositoryRoot();

/** Tracked files, as git lists them (node_modules and dist are never tracked, and are skipped should they be). */
function trackedFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return out.split('\0').filter((path) => path !== '' && !/(^|\/)(node_modules|dist)\//.test(path));
}

const TRACKED = trackedFiles();
const TRACKED_SET = new Set(TRACKED);
const TRACKED_DIRS = new Set(TRACKED.flatMap((path) => path.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));

/** Text files only: a NUL in the first 8000 bytes marks a binary, as git decides. */
function readText(path: string): string | null {
  const bytes = readFileSync(join(root, path));
  return bytes.subarray(0, 8000).includes(0) ? null : bytes.toString('utf8');
}

const TEXT: ReadonlyMap<string, string> = new Map(
  TRACKED.flatMap((path) => {
    const text = readText(path);
    return text === null ? [] : [[path, text] as const];
  }),
);

/** GitHub's heading anchor: markup and punctuation dropped, lower case, each space a hyphen; repeats get -1, -2. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of outsideFences(markdown)) {
    for (const match of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(match[1]!);
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = heading[1]!.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The lines of a markdown text with fenced code blocks blanked, so line numbers stay those of the file. */
function outsideFences(markdown: string): string[] {
  let fence: string | null = null;
  return markdown.split('\n').map((line) => {
    const marker = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (marker && (fence === null || marker.startsWith(fence))) {
      fence = fence === null ? marker : null;
      return '';
    }
    return fence === null ? line : '';
  });
}

interface Link {
  readonly line: number;
  readonly target: string;
}

/** Inline links and images `[text](target "title")` and reference definitions `[id]: target`. */
function markdownLinks(markdown: string): Link[] {
  return outsideFences(markdown).flatMap((line, index) => {
    const text = line.replace(/`[^`]*`/g, '``');
    const targets = [
      ...[...text.matchAll(/\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!),
      ...[...text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/g)].map((m) => m[1]!),
    ];
    return targets.map((target) => ({ line: index + 1, target: target.replace(/^<|>$/g, '') }));
  });
}

/** A path relative to the repository root, or null when it leaves the repository. */
function inRepository(fromFile: string, target: string): string | null {
  const joined = target.startsWith('/') ? posix.normalize(target.slice(1)) : posix.join(posix.dirname(fromFile), target);
  const path = posix.normalize(joined).replace(/\/$/, '');
  return path === '..' || path.startsWith('../') ? null : path;
}

/** Why a repository path (and anchor) does not resolve, or null when it does. */
function unresolved(path: string, anchor: string | null): string | null {
  if (path === '' || path === '.') return null;
  if (!TRACKED_SET.has(path) && !TRACKED_DIRS.has(path)) return `${path} is not a file or folder in the repository`;
  if (anchor === null || !path.endsWith('.md')) return null;
  return headingAnchors(TEXT.get(path) ?? '').has(anchor) ? null : `${path} has no heading #${anchor}`;
}

function markdownFiles(): string[] {
  return TRACKED.filter((path) => path.endsWith('.md'));
}

describe('the repository points at nothing outside itself', () => {
  it('no tracked text file cites a file outside the repository', () => {
    const found: string[] = [];
    for (const [path, text] of TEXT) {
      text.split('\n').forEach((line, index) => {
        for (const [pattern, why] of OUTSIDE_REFERENCES) {
          if (pattern.test(line)) found.push(`${path}:${index + 1}: ${JSON.stringify(line.trim().slice(0, 160))} (${why})`);
        }
      });
    }
    expect(found).toEqual([]);
  });

  it('every relative link in the markdown resolves to a committed file, and to a heading when it names one', () => {
    const broken: string[] = [];
    for (const file of markdownFiles()) {
      for (const { line, target } of markdownLinks(TEXT.get(file) ?? '')) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
        const [rawPath = '', rawAnchor] = target.split('#', 2);
        const anchor = rawAnchor ? decodeURIComponent(rawAnchor) : null;
        const path = rawPath === '' ? file : inRepository(file, decodeURIComponent(rawPath));
        const why = path === null ? 'leaves the repository' : unresolved(path, anchor);
        if (why) broken.push(`${file}:${line}: (${target}) ${why}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('every docs/<page>.md#<section> a comment or string cites exists', () => {
    const broken: string[] = [];
    for (const [path, text] of TEXT) {
      if (path.endsWith('.md')) continue;
      text.split('\n').forEach((line, index) => {
        for (const match of line.matchAll(/\b(docs\/[\w./-]*?\.md)#([\w-]+)/g)) {
          const why = unresolved(match[1]!, match[2]!);
          if (why) broken.push(`${path}:${index + 1}: ${why}`);
        }
      });
    }
    expect(broken).toEqual([]);
  });
});

describe('the link checker itself', () => {
  it('makes GitHub anchors from headings, repeats numbered', () => {
    const anchors = headingAnchors('# Credas\n## Process webhook\n### SMS status\n## Retries\n## Retries\n## 9. Issue 14: what stops `it`\n');
    expect([...anchors]).toEqual(['credas', 'process-webhook', 'sms-status', 'retries', 'retries-1', '9-issue-14-what-stops-it']);
  });

  it('ignores headings and links inside fenced code', () => {
    const markdown = '```\n# not a heading\n[x](nowhere.md)\n```\n## Real\n[y](real.md#real)\n';
    expect([...headingAnchors(markdown)]).toEqual(['real']);
    expect(markdownLinks(markdown)).toEqual([{ line: 6, target: 'real.md#real' }]);
  });

  it('finds inline links, images, titled links and reference definitions', () => {
    const markdown = 'see [a](a.md) and ![b](img/b.png "B")\n[c]: <c d.md>\n`[not](code.md)`\n';
    expect(markdownLinks(markdown).map((l) => l.target)).toEqual(['a.md', 'img/b.png', 'c d.md']);
  });
});
