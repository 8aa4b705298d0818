import { z } from 'zod';
import { NoInput } from './field-schemas';
import type { UpdateCallName } from './update-call-names';

/**
 * Signed updates as the officer sees them (docs/protocols/release-manifest-v1.md): the
 * installed version, the policy's channel, and where the update stands. Nothing here chooses a
 * URL or a file: the source is the policy's (a folder is opened from the command line).
 */
export const UpdateStatus = z
  .object({
    installedVersion: z.string().max(32),
    /** The policy's channel once a check ran; null before. */
    channel: z.string().max(32).nullable(),
    source: z.enum(['hq', 'folder']).nullable(),
    /**
     * `unsupported`: this build cannot update itself (preview, CLI); `current`: nothing newer;
     * `available` → `downloading` → `verified` (restart to install) → `installing`; `refused`.
     */
    state: z.enum([
      'unsupported',
      'idle',
      'checking',
      'current',
      'available',
      'downloading',
      'verified',
      'installing',
      'refused',
    ]),
    availableVersion: z.string().max(32).nullable(),
    progress: z
      .object({
        percent: z.number().min(0).max(100),
        transferred: z.number().nonnegative(),
        total: z.number().nonnegative(),
      })
      .strict()
      .nullable(),
    /** Why the last check, download or install was refused (an `E_UPDATE_*` or `E_IT_*` code). */
    refused: z
      .object({ code: z.string().max(64), message: z.string().max(500) })
      .strict()
      .nullable(),
  })
  .strict();
export type UpdateStatus = z.infer<typeof UpdateStatus>;

export const updateContract = {
  /** Where the update stands. Safe before unlock: nothing here is secret. */
  'updates.status': { input: NoInput, output: UpdateStatus },
  /** Fetch IT's signed manifest from the policy's URL, judge it, let electron-updater check. */
  'updates.check': { input: NoInput, output: UpdateStatus },
  /** Download the checked update and verify it against the signed manifest. */
  'updates.download': { input: NoInput, output: UpdateStatus },
  /** Re-verify the file, install it and restart the application. */
  'updates.install': { input: NoInput, output: UpdateStatus },
} as const satisfies Record<UpdateCallName, { input: z.ZodType; output: z.ZodType }>;
