import { basename } from 'node:path';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type { VaultCallName } from '../../../shared/contract/vault-call-names';
import { UPLOAD_PIECE_BYTES } from '../../../shared/contract/vault-calls';
import type { HandlerTable } from '../contract';
import { driverModulePath } from '../token';
import { loadSampleData } from './sample-data';
import type { VaultService } from './vault-service';

/** The vault's slice of the handler table. */
export type VaultHandlers = Pick<HandlerTable, VaultCallName>;

/**
 * The vault's calls on top of the vault service. The contract has already validated every
 * input; these map it onto worker operations (the bytes of attachments as transferred buffers,
 * base64 only at the contract edge).
 */
export function createVaultHandlers(vault: VaultService): VaultHandlers {
  return {
    'vault.status': () => vault.status(),
    // The driver id becomes its installed library file here; the contract let a file through
    // only from the CLI.
    'vault.create': (input) => {
      if (input.profile === 'passphrase') return vault.create(input);
      const { driver, modulePath, ...rest } = input;
      return vault.create({ ...rest, modulePath: modulePath ?? driverModulePath(driver ?? '') });
    },
    'vault.unlock': (input) => vault.unlock(input),
    'vault.lock': () => vault.lock('officer'),
    'vault.touch': () => vault.touch(),
    'vault.configure': (input) => vault.setIdleTimeout(input.idleTimeoutSeconds),
    'vault.wipe': async () => ({ wiped: true as const, elapsedMs: (await vault.wipe()).elapsedMs }),
    'vault.loadSampleData': () => loadSampleData(vault),
    'documents.list': (input) => vault.run('documents.list', input),
    'documents.get': (input) => vault.run('documents.get', input),
    'documents.add': (input) => vault.run('documents.add', input),
    'attachments.add': async (input) => {
      if (input.source.kind === 'path') {
        return vault.run('attachments.add', {
          documentId: input.documentId,
          source: { kind: 'path', path: input.source.path },
          name: input.name ?? basename(input.source.path),
          mediaType: input.mediaType,
        });
      }
      if (!input.name) throw new CoreError(ErrorCode.InvalidInput, 'name is required for inline bytes');
      const bytes = new Uint8Array(Buffer.from(input.source.base64, 'base64'));
      return vault.run(
        'attachments.add',
        {
          documentId: input.documentId,
          source: { kind: 'bytes', bytes },
          name: input.name,
          mediaType: input.mediaType,
        },
        [bytes.buffer],
      );
    },
    'attachments.upload.begin': (input) => vault.run('attachments.upload.begin', input),
    'attachments.upload.append': (input) => {
      const bytes = new Uint8Array(Buffer.from(input.base64, 'base64'));
      if (bytes.length > UPLOAD_PIECE_BYTES) {
        throw new CoreError(ErrorCode.InvalidInput, `a piece is at most ${UPLOAD_PIECE_BYTES} bytes`);
      }
      return vault.run(
        'attachments.upload.append',
        { uploadId: input.uploadId, offset: input.offset, bytes },
        [bytes.buffer],
      );
    },
    'attachments.upload.finish': (input) => vault.run('attachments.upload.finish', input),
    'attachments.upload.cancel': (input) => vault.run('attachments.upload.cancel', input),
    'attachments.read': async (input) => {
      const chunk = await vault.run('attachments.read', input);
      const base64 = Buffer.from(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.byteLength).toString(
        'base64',
      );
      chunk.bytes.fill(0);
      return { id: chunk.id, offset: chunk.offset, base64, size: chunk.size, eof: chunk.eof };
    },
    'messages.threads': (input) => vault.run('messages.threads', input),
    'messages.list': (input) => vault.run('messages.list', input),
    'messages.add': (input) => vault.run('messages.add', input),
    'messages.markRead': (input) => vault.run('messages.markRead', input),
    'messages.updateDraft': (input) => vault.run('messages.updateDraft', input),
    'messages.deleteDraft': (input) => vault.run('messages.deleteDraft', input),
    'documents.markRead': (input) => vault.run('documents.markRead', input),
    search: (input) => vault.run('search', input),
  };
}
