import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Bench, Figure } from './figures';

/**
 * `npm run bench`: runs every `bench/*.bench.ts` in turn and prints a table;
 * `npm run bench -- --json` prints one JSON object `{ "<file>": { "<figure>": { value, unit } } }`.
 * Benchmarks never gate CI: they report, the README and issue notes interpret.
 */
async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const dir = new URL('.', import.meta.url).pathname;
  const files = (await readdir(dir))
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
    .sort();
  const results: Record<string, Record<string, { value: number; unit: string; note?: string }>> = {};
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default: Bench };
    if (!json) process.stderr.write(`running ${file}…\n`);
    const figures: readonly Figure[] = await mod.default();
    const name = file.replace(/\.bench\.ts$/, '');
    results[name] = Object.fromEntries(
      figures.map((f) => [
        f.name,
        { value: round(f.value), unit: f.unit, ...(f.note ? { note: f.note } : {}) },
      ]),
    );
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(results)}\n`);
    return;
  }
  const lines: string[][] = [['bench', 'figure', 'value', 'unit', 'note']];
  for (const [bench, figures] of Object.entries(results)) {
    for (const [name, f] of Object.entries(figures))
      lines.push([bench, name, String(f.value), f.unit, f.note ?? '']);
  }
  const widths = (lines[0] ?? []).map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  for (const l of lines)
    process.stdout.write(
      `${l
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd()}\n`,
    );
}

function round(x: number): number {
  return Math.abs(x) >= 100 ? Math.round(x) : Math.round(x * 100) / 100;
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
