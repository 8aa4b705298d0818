/** The update calls' names, zod-free (the preload bundles this list). */
export const UPDATE_CALL_NAMES = [
  'updates.status',
  'updates.check',
  'updates.download',
  'updates.install',
] as const;

export type UpdateCallName = (typeof UPDATE_CALL_NAMES)[number];
