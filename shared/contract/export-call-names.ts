/** The export calls' names, zod-free (the preload bundles this list). */
export const EXPORT_CALL_NAMES = ['export.attachment', 'export.messageFile'] as const;

export type ExportCallName = (typeof EXPORT_CALL_NAMES)[number];
