import { open, rm } from 'node:fs/promises';
import type { AuditRecorder } from '../../../shared/audit';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type { ExportAttachmentResult } from '../../../shared/contract/export-calls';
import { markingConfirmed } from '../../../shared/domain/marking-confirmation';
import type { HandlerTable } from '../contract';
import type { VaultService } from '../vault';
import { exportFileName } from './export-file-name';

/** attachments.read answers at most this much at once. */
const READ_CHUNK = 1024 * 1024;

export interface ExportDeps {
  readonly vault: VaultService;
  readonly audit: AuditRecorder;
  /**
   * Asks the officer where to save (main's save dialog, with this name suggested); null when
   * cancelled. Absent where the shell has no dialog (preview, CLI): the caller delivers.
   */
  readonly pickSavePath?: (suggestedName: string) => Promise<string | null>;
}

/**
 * `export.attachment`. The order is the property: the vault must be open (the document is read
 * first, E_VAULT_LOCKED otherwise), the marking must be confirmed (E_MARKING_UNCONFIRMED,
 * recorded as a refusal), and only then is the officer asked where to save. The export is
 * recorded before the caller delivers it, and after the core wrote the file; a cancelled dialog
 * is not an export.
 */
export function createExportHandlers(deps: ExportDeps): Pick<HandlerTable, 'export.attachment'> {
  const { vault, audit } = deps;
  return {
    'export.attachment': async (input): Promise<ExportAttachmentResult> => {
      const detail = await vault.run('documents.get', { id: input.documentId });
      const attachment = detail.attachments.find((a) => a.id === input.attachmentId);
      if (!attachment) throw new CoreError(ErrorCode.NotFound, 'no such attachment on this document');
      const marking = detail.document.classification;
      const refs = {
        documentId: input.documentId,
        attachmentId: input.attachmentId,
        marking,
        channel: input.channel,
      };
      if (!markingConfirmed(marking, input.confirmedMarking)) {
        audit.record('document.export-refused', { ...refs, code: ErrorCode.MarkingUnconfirmed });
        throw new CoreError(ErrorCode.MarkingUnconfirmed, `a ${marking} item needs its marking confirmed`);
      }
      const fileName = exportFileName(attachment.name);
      if (input.channel === 'print' || !deps.pickSavePath) {
        audit.record('document.exported', refs);
        return { outcome: 'deliver', marking, fileName };
      }
      const path = await deps.pickSavePath(fileName);
      if (path === null) return { outcome: 'cancelled', marking, fileName };
      await writeAttachment(vault, attachment.id, path);
      audit.record('document.exported', refs);
      return { outcome: 'saved', marking, fileName };
    },
  };
}

/** Streams the attachment from the vault into the chosen file; a partial file is removed. */
async function writeAttachment(vault: VaultService, id: string, path: string): Promise<void> {
  let file;
  try {
    file = await open(path, 'w', 0o600);
  } catch {
    throw new CoreError(ErrorCode.FileAccess, 'the chosen file could not be written');
  }
  try {
    let offset = 0;
    for (;;) {
      const chunk = await vault.run('attachments.read', { id, offset, length: READ_CHUNK });
      if (chunk.bytes.length > 0) await file.write(chunk.bytes, 0, chunk.bytes.length, offset);
      offset += chunk.bytes.length;
      if (chunk.eof || chunk.bytes.length === 0 || offset >= chunk.size) break;
    }
    await file.close();
  } catch (e) {
    await file.close().catch(() => undefined);
    await rm(path, { force: true }).catch(() => undefined);
    if (e instanceof CoreError) throw e;
    throw new CoreError(ErrorCode.FileAccess, 'the chosen file could not be written');
  }
}
