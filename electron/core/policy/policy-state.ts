import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ItDocument } from '../../../shared/it/it-document';
import { writeFileAtomic } from '../signing';

/**
 * What the workstation keeps of IT's documents: the root rotations accepted after the pinned
 * root, and the policy in force, as received (signatures included), so every start re-verifies
 * the whole chain from the root pinned in the build. One file, replaced atomically: a crash
 * leaves the old state or the new one, never a new root with an old policy half-written.
 */
export const POLICY_STATE_FILE = 'it-policy.json';

export const StoredPolicyState = z
  .object({
    rotations: z.array(ItDocument).max(64),
    policy: ItDocument.nullable(),
    appliedAt: z.number().int().nonnegative().nullable(),
    /**
     * How many of `rotations` were in force when the policy was applied: it is re-verified under
     * that root, since a later rotation alone does not withdraw a policy the old keys signed.
     */
    policyRotations: z.number().int().nonnegative().max(64),
  })
  .strict();
export type StoredPolicyState = z.infer<typeof StoredPolicyState>;

export const EMPTY_STATE: StoredPolicyState = {
  rotations: [],
  policy: null,
  appliedAt: null,
  policyRotations: 0,
};

export function policyStatePath(profileDir: string): string {
  return join(profileDir, 'policy', POLICY_STATE_FILE);
}

/** The stored state, or `undefined` when there is none; throws on a damaged file. */
export async function readPolicyState(path: string): Promise<StoredPolicyState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return StoredPolicyState.parse(JSON.parse(text));
}

export async function writePolicyState(path: string, state: StoredPolicyState): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, Buffer.from(`${JSON.stringify(state)}\n`));
}
