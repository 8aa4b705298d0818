import { dirname, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDirectory, markdownDocs, proseOf, read, repoFiles } from './markdown-docs';

/**
 * Keeps the docs true of the tree: every path a doc names in backticks exists, every relative
 * link (and its #anchor) resolves, and the README's folder table lists every folder there is.
 *
 * What counts as a path in backticks: a name whose first segment is a top-level entry of the
 * repository (`electron/core/vault/`, `.ci/run`, globs such as `tests/integration/sync-*.test.ts`
 * must match something); a partial path ending in `/` or a source extension, found as the tail
 * of a real path (`sync/store/index.ts`); a bare source file name (`key-file.ts`), found as some
 * file's name. Runtime and build paths are written so they do not look like repository paths:
 * `dist/…`, `DATA/…`, `<profile>/…`, labels in quotes.
 */

const files = repoFiles();
const dirs = new Set(
  files.flatMap((f) =>
    f
      .split('/')
      .slice(0, -1)
      .map((_, i, a) => a.slice(0, i + 1).join('/')),
  ),
);
const topLevel = new Set(files.map((f) => f.split('/')[0] as string));
const SOURCE = /\.(ts|tsx|mjs|cjs|js|json|md|sh|yml|css)$/;
const BARE_SOURCE = /^[\w.-]+\.(ts|tsx|mjs|md|sh)$/;
const NOT_A_PATH = /[\s<>…$"'=(),|{}:]|^[/~@-]|^(dist|DATA|node_modules)\//;

function globToRegExp(glob: string): RegExp {
  // `**` crosses folders, `*` stays within one name.
  const body = glob
    .split('**')
    .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

function exists(path: string): boolean {
  const p = path.replace(/\/$/, '');
  if (p.includes('*')) {
    const re = globToRegExp(p);
    return files.some((f) => re.test(f)) || [...dirs].some((d) => re.test(d));
  }
  return path.endsWith('/') ? dirs.has(p) : files.includes(p) || dirs.has(p);
}

/** Why a backticked name is not in the tree, or undefined when it is (or is no path). */
function problem(token: string): string | undefined {
  if (NOT_A_PATH.test(token)) return undefined;
  const first = token.split('/')[0] as string;
  if (token.includes('/') && topLevel.has(first)) return exists(token) ? undefined : 'no such path';
  if (token.includes('/') && (token.endsWith('/') || SOURCE.test(token))) {
    const tail = token.replace(/\/$/, '');
    const found = token.endsWith('/')
      ? [...dirs].some((d) => d === tail || d.endsWith(`/${tail}`))
      : files.some((f) => f === tail || f.endsWith(`/${tail}`));
    return found ? undefined : 'no path ends with this';
  }
  if (BARE_SOURCE.test(token)) {
    return files.some((f) => posix.basename(f) === token) ? undefined : 'no file has this name';
  }
  return undefined;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of proseOf(markdown).split('\n')) {
    const m = /^#{1,6}\s+(.*)$/.exec(line);
    if (!m?.[1]) continue;
    const base = m[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

const docs = markdownDocs();

describe('docs name only what exists', () => {
  it('finds the docs', () => {
    expect(docs).toContain('docs/architecture.md');
    expect(docs).toContain('README.md');
  });

  for (const doc of docs) {
    it(`${doc}: every path in backticks exists`, () => {
      const tokens = [...proseOf(read(doc)).matchAll(/`([^`\n]+)`/g)].map((m) => m[1] as string);
      const missing = tokens
        .map((t) => [t, problem(t)] as const)
        .filter(([, why]) => why !== undefined)
        .map(([t, why]) => `${t} (${why})`);
      expect(missing).toEqual([]);
    });

    it(`${doc}: every relative link resolves`, () => {
      const text = proseOf(read(doc));
      const broken: string[] = [];
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1] as string;
        if (/^[a-z]+:/i.test(target)) continue;
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const file = path === '' ? doc : posix.normalize(posix.join(dirname(doc), path));
        if (!files.includes(file) && !dirs.has(file.replace(/\/$/, ''))) {
          broken.push(`${target} (no such file)`);
          continue;
        }
        if (anchor !== undefined && file.endsWith('.md') && !anchorsOf(read(file)).has(anchor)) {
          broken.push(`${target} (no such heading)`);
        }
      }
      expect(broken).toEqual([]);
    });
  }

  it('README: the folder table lists every folder of the tree', () => {
    const readme = read('README.md');
    const section = readme.split(/^## /m).find((s) => s.startsWith('Where things are')) ?? '';
    const listed = new Set(
      [...section.matchAll(/^\|\s*`([^`]+)`/gm)].map((m) => (m[1] as string).replace(/\/$/, '')),
    );
    const folders = [...topLevel].filter((t) => isDirectory(t) && !t.startsWith('.'));
    const uncovered = folders.filter((top) => {
      if (listed.has(top)) return false;
      const children = [...dirs].filter((d) => posix.dirname(d) === top);
      return children.length === 0 || children.some((c) => !listed.has(c));
    });
    expect(uncovered).toEqual([]);
    const stale = [...listed].filter((l) => !exists(l));
    expect(stale).toEqual([]);
  });

  it('README: every dependency of package.json has a row in "Dependencies and why"', () => {
    const pkg = JSON.parse(read('package.json')) as Record<string, Record<string, string> | undefined>;
    const names = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})];
    const section =
      read('README.md')
        .split(/^#+ /m)
        .find((s) => s.startsWith('Dependencies and why')) ?? '';
    const rows = [...section.matchAll(/`([^`]+)`/g)].map((m) => globToRegExp(m[1] as string));
    expect(names.filter((n) => !rows.some((r) => r.test(n)))).toEqual([]);
  });
});
