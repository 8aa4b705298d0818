import { z } from 'zod';
import { CLASSIFICATIONS } from '../domain/classification';
import type { ExportCallName } from './export-call-names';
import { RecordId } from './vault-calls-fields';

/**
 * Files leave the vault deliberately: an attachment (a signed PDF among them) saved to a file or
 * printed. The renderer never names a path: in Electron the core asks the shell, which opens
 * main's save dialog, and writes the file itself; where the shell has no dialog (the browser
 * preview over the loopback bridge) the answer says `deliver` and the renderer hands the bytes
 * it reads with `attachments.read` to the browser's download or print. Either way the export is
 * recorded in the audit log (`document.exported`: ids, marking, channel; never a path or
 * content), and a Secret or Top secret item needs `confirmedMarking` naming its marking.
 */
export const ExportChannel = z.enum(['save', 'print']);
export type ExportChannel = z.infer<typeof ExportChannel>;

export const ExportAttachmentInput = z
  .object({
    documentId: RecordId,
    attachmentId: RecordId,
    channel: ExportChannel,
    /** The marking the officer confirmed in the dialog that named it (Secret and above). */
    confirmedMarking: z.enum(CLASSIFICATIONS).optional(),
  })
  .strict();
export type ExportAttachmentInput = z.input<typeof ExportAttachmentInput>;

/** The same for a file of a message: its marking is the message's. */
export const ExportMessageFileInput = z
  .object({
    fileId: RecordId,
    channel: ExportChannel,
    confirmedMarking: z.enum(CLASSIFICATIONS).optional(),
  })
  .strict();

export const ExportAttachmentResult = z
  .object({
    /**
     * `saved`: the core wrote the file where the officer chose; `cancelled`: the officer closed
     * the dialog (nothing written, nothing recorded); `deliver`: recorded, the caller delivers
     * (the preview's download, or printing what the preview shows).
     */
    outcome: z.enum(['saved', 'cancelled', 'deliver']),
    /** The document's (or the message's) marking, as recorded. */
    marking: z.enum(CLASSIFICATIONS),
    /** The attachment's name, safe as a file name (no folder separators or control characters). */
    fileName: z.string().min(1).max(255),
  })
  .strict();
export type ExportAttachmentResult = z.infer<typeof ExportAttachmentResult>;

export const exportContract = {
  /** Save or print an attachment of a vault document (needs the vault unlocked). */
  'export.attachment': { input: ExportAttachmentInput, output: ExportAttachmentResult },
  /** Save or print a file of a message. */
  'export.messageFile': { input: ExportMessageFileInput, output: ExportAttachmentResult },
} as const satisfies Record<ExportCallName, { input: z.ZodType; output: z.ZodType }>;
