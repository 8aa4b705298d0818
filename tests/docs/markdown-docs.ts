import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Reading the project's Markdown for the doc tests: which files are docs, their text without
 * fenced code blocks, and the `vector:` blocks of the protocol specifications.
 */

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Folders never walked: dependencies, build output, git, test reports. */
const SKIPPED = new Set(['node_modules', 'dist', '.git', 'test-results', 'playwright-report', 'release']);

/** Every file under the repository (relative, `/`-separated), skipping build output and dependencies. */
export function repoFiles(dir = ROOT): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...repoFiles(full));
    else out.push(relative(ROOT, full).split('\\').join('/'));
  }
  return out;
}

/** The docs the tests hold to the tree: `docs/**`, and the README of the root, `bench/` and `tests/`. */
export function markdownDocs(): string[] {
  return repoFiles()
    .filter((f) => f.endsWith('.md'))
    .filter((f) => f.startsWith('docs/') || ['README.md', 'bench/README.md', 'tests/README.md'].includes(f))
    .sort();
}

export function read(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8');
}

export function isDirectory(file: string): boolean {
  const full = join(ROOT, file);
  return existsSync(full) && statSync(full).isDirectory();
}

/** The text with every fenced code block blanked out (line count kept). */
export function proseOf(markdown: string): string {
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*```/.test(line)) {
        fenced = !fenced;
        return '';
      }
      return fenced ? '' : line;
    })
    .join('\n');
}

/** A test vector: its name and `key: value` fields (indented lines continue the value above). */
export interface Vector {
  readonly file: string;
  readonly name: string;
  readonly fields: ReadonlyMap<string, string>;
}

/** Every fenced block whose first line is `vector: NAME`. */
export function vectorsOf(file: string): Vector[] {
  const vectors: Vector[] = [];
  const blocks = read(file).match(/```[a-z]*\nvector: [^\n]+\n[\s\S]*?```/g) ?? [];
  for (const block of blocks) {
    const lines = block.split('\n').slice(1, -1);
    const name = (lines.shift() ?? '').replace(/^vector: /, '').trim();
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const line of lines) {
      const continued = /^\s+(\S+)$/.exec(line);
      if (continued && last !== undefined) {
        fields.set(last, `${fields.get(last) ?? ''}${continued[1]}`);
        continue;
      }
      const m = /^([a-z0-9-]+):(?: (.*))?$/.exec(line);
      if (!m?.[1]) throw new Error(`${file}, vector ${name}: cannot read the line "${line}"`);
      last = m[1];
      fields.set(last, m[2] ?? '');
    }
    vectors.push({ file, name, fields });
  }
  return vectors;
}

/** A field of a vector, which must be present. */
export function field(v: Vector, key: string): string {
  const value = v.fields.get(key);
  if (value === undefined) throw new Error(`${v.file}, vector ${v.name}: no field "${key}"`);
  return value;
}
