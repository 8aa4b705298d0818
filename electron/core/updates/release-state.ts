import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../signing';

/**
 * What the workstation remembers between checks: the highest release manifest it accepted (its
 * version and canonical hash, so an older or a forged twin is refused as a replay), and a random
 * install id for the staged rollout when the device has no enrolled id yet.
 */
export const ReleaseState = z
  .object({
    lastManifest: z
      .object({ version: z.number().int().min(1), digest: z.string().regex(/^[0-9a-f]{64}$/) })
      .strict()
      .nullable(),
    installId: z.string().regex(/^[0-9a-f]{32}$/),
  })
  .strict();
export type ReleaseState = z.infer<typeof ReleaseState>;

export const releaseStatePath = (profileDir: string) => join(profileDir, 'updates', 'release-state.json');

/** The stored state, or `undefined` when there is none or it is damaged (a fresh one is made). */
export async function readReleaseState(path: string): Promise<ReleaseState | undefined> {
  try {
    return ReleaseState.parse(JSON.parse(await readFile(path, 'utf8')));
  } catch {
    return undefined;
  }
}

export async function writeReleaseState(path: string, state: ReleaseState): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, Buffer.from(`${JSON.stringify(state)}\n`));
}
