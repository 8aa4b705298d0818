import { open, rm } from 'node:fs/promises';
import type { AuditRecorder } from '../../../shared/audit';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type { ExportAttachmentResult, ExportChannel } from '../../../shared/contract/export-calls';
import type { Classification } from '../../../shared/domain/classification';
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
 * `export.attachment` (a document's file) and `export.messageFile` (a message's). The order is the property: the vault must be open (the document is read
 * first, E_VAULT_LOCKED otherwise), the marking must be confirmed (E_MARKING_UNCONFIRMED,
 * recorded as a refusal), and only then is the officer asked where to save. The export is
 * recorded before the caller delivers it, and after the core wrote the file; a cancelled dialog
 * is not an export.
 */
export function createExportHandlers(
  deps: ExportDeps,
): Pick<HandlerTable, 'export.attachment' | 'export.messageFile'> {
  const { vault } = deps;
  return {
    'export.attachment': async (input): Promise<ExportAttachmentResult> => {
      const detail = await vault.run('documents.get', { id: input.documentId });
      const attachment = detail.attachments.find((a) => a.id === input.attachmentId);
      if (!attachment) throw new CoreError(ErrorCode.NotFound, 'no such attachment on this document');
      return exportItem(deps, {
        name: attachment.name,
        marking: detail.document.classification,
        refs: { documentId: input.documentId, attachmentId: input.attachmentId },
        channel: input.channel,
        confirmedMarking: input.confirmedMarking,
        read: 'attachments.read',
        id: attachment.id,
      });
    },
    'export.messageFile': async (input): Promise<ExportAttachmentResult> => {
      // Only a stored message's file (a staged one is E_NOT_FOUND), under that message's marking.
      const found = await vault.run('messages.files.get', { id: input.fileId });
      return exportItem(deps, {
        name: found.file.name,
        marking: found.classification,
        refs: { messageId: found.messageId, attachmentId: found.file.id },
        channel: input.channel,
        confirmedMarking: input.confirmedMarking,
        read: 'messages.files.read',
        id: found.file.id,
      });
    },
  };
}

/** One export, whatever it is a file of: the marking check, the save or delivery, the record. */
async function exportItem(
  deps: ExportDeps,
  item: {
    name: string;
    marking: Classification;
    refs: { documentId?: string; messageId?: string; attachmentId: string };
    channel: ExportChannel;
    confirmedMarking: Classification | undefined;
    read: ChunkRead;
    id: string;
  },
): Promise<ExportAttachmentResult> {
  const { audit } = deps;
  const { marking } = item;
  const refs = { ...item.refs, marking, channel: item.channel };
  if (!markingConfirmed(marking, item.confirmedMarking)) {
    audit.record('document.export-refused', { ...refs, code: ErrorCode.MarkingUnconfirmed });
    throw new CoreError(ErrorCode.MarkingUnconfirmed, `a ${marking} item needs its marking confirmed`);
  }
  const fileName = exportFileName(item.name);
  if (item.channel === 'print' || !deps.pickSavePath) {
    audit.record('document.exported', refs);
    return { outcome: 'deliver', marking, fileName };
  }
  const path = await deps.pickSavePath(fileName);
  if (path === null) return { outcome: 'cancelled', marking, fileName };
  await writeFileFrom(deps.vault, item.read, item.id, path);
  audit.record('document.exported', refs);
  return { outcome: 'saved', marking, fileName };
}

type ChunkRead = 'attachments.read' | 'messages.files.read';

/** Streams the file from the vault into the chosen file; a partial file is removed. */
async function writeFileFrom(vault: VaultService, read: ChunkRead, id: string, path: string): Promise<void> {
  let file;
  try {
    file = await open(path, 'w', 0o600);
  } catch {
    throw new CoreError(ErrorCode.FileAccess, 'the chosen file could not be written');
  }
  try {
    let offset = 0;
    for (;;) {
      const chunk = await vault.run(read, { id, offset, length: READ_CHUNK });
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
