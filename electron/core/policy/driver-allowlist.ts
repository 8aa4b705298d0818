import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type { AllowedDriver } from '../../../shared/it/policy-document';
import { knownModuleCandidates } from '../token';

/**
 * Whether policy allows loading the PKCS#11 library at `modulePath`: one of the paths
 * `resources/pkcs11-modules.json` lists for an allowed id on this platform, or an exact path
 * whose bytes hash to the SHA-256 the policy names. Checked before the token process starts,
 * so a library outside the list is never loaded (its constructors never run).
 */
export async function driverAllowed(
  allowed: readonly AllowedDriver[],
  modulePath: string,
  platform: NodeJS.Platform = process.platform,
): Promise<boolean> {
  const path = resolve(modulePath);
  const known = knownModuleCandidates(platform);
  for (const entry of allowed) {
    if ('id' in entry) {
      if (known.some((m) => m.id === entry.id && resolve(m.path) === path)) return true;
    } else if (resolve(entry.path) === path) {
      try {
        const digest = createHash('sha256')
          .update(await readFile(path))
          .digest('hex');
        if (digest === entry.sha256) return true;
      } catch {
        // Unreadable: not proven to be the library IT named.
      }
    }
  }
  return false;
}

export async function assertDriverAllowed(
  allowed: readonly AllowedDriver[] | undefined,
  modulePath: string,
): Promise<void> {
  if (allowed && !(await driverAllowed(allowed, modulePath)))
    throw new CoreError(
      ErrorCode.PolicyDriverNotAllowed,
      "the token driver is not in IT's policy; it was not loaded",
    );
}
