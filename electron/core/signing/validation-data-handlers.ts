import type { HandlerTable } from '../contract';
import type { VaultService } from '../vault';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import { readAttachment } from './document-signing';
import { laterCopyName } from './signed-copy-name';
import type { SigningService } from './signing-service';

/**
 * B-LT on demand for a PDF in the vault (a received file): the DSS with every CRL at hand is
 * appended (validation-data.ts; the core checks the sandbox only appended) and the copy is
 * stored beside the original, which stays as it arrived.
 */
export function createValidationDataHandlers(deps: {
  vault: VaultService;
  signing: Pick<SigningService, 'addValidationDataToBytes'>;
}): Pick<HandlerTable, 'verify.attachmentValidationData'> {
  const { vault, signing } = deps;
  return {
    async 'verify.attachmentValidationData'({ documentId, id }) {
      const detail = await vault.run('documents.get', { id: documentId });
      const info = detail.attachments.find((a) => a.id === id);
      if (!info) throw new CoreError(ErrorCode.NotFound, 'no such attachment in this document');
      const result = await signing.addValidationDataToBytes(await readAttachment(vault, id));
      const name = laterCopyName(
        info.name,
        'lt',
        detail.attachments.map((a) => a.name),
      );
      const stored = await vault.run('attachments.add', {
        documentId,
        source: { kind: 'bytes', bytes: result.bytes },
        name,
        mediaType: 'application/pdf',
      });
      return { attachmentId: stored.id, name, certs: result.certs, crls: result.crls };
    },
  };
}
