import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';

/**
 * The typeface of the PDF report: Be Vietnam Pro (drawn for Vietnamese), the same one the
 * interface bundles, as @fontsource ships it: one WOFF per script subset. Latin first, then
 * the Vietnamese letters, then Latin Extended. Found in `resources/fonts/` (a packaged app) or
 * in the package in node_modules (source and dist/ builds).
 */
const SUBSETS = ['latin', 'vietnamese', 'latin-ext'] as const;
const fileOf = (subset: string) => `be-vietnam-pro-${subset}-400-normal.woff`;

function fontDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    for (const candidate of [
      join(dir, 'resources', 'fonts'),
      join(dir, 'node_modules', '@fontsource', 'be-vietnam-pro', 'files'),
    ])
      if (existsSync(join(candidate, fileOf('latin')))) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

export async function reportFonts(): Promise<Uint8Array[]> {
  const dir = fontDir();
  if (!dir) throw new CoreError(ErrorCode.Internal, 'the report font is not installed');
  return Promise.all(SUBSETS.map(async (s) => new Uint8Array(await readFile(join(dir, fileOf(s))))));
}
