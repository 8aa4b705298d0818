import { basename } from 'node:path';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type { VaultCallName } from '../../../shared/contract/vault-call-names';
import {
  UPLOAD_PIECE_BYTES,
  type ApprovalInfo,
  type DocumentDetail,
} from '../../../shared/contract/vault-calls';
import type { HandlerTable } from '../contract';
import { driverModulePath } from '../token';
import { loadSampleData } from './sample-data';
import { approvalSubject } from './approval-content';
import { createDocumentTransitions, type DocumentTransitions } from './document-transitions';
import type { VaultService } from './vault-service';
import type { WorkerOutput } from './worker-protocol';

/** The vault's slice of the handler table. */
export type VaultHandlers = Pick<HandlerTable, VaultCallName>;

/** Checks an approval's signature over the encoding it signed (the signing service's verifier). */
export type ApprovalVerifier = (content: string, signature: Uint8Array) => Promise<ApprovalInfo>;

/** Without a verifier (a core without signing): an approval is shown, unverified. */
const unverified: ApprovalVerifier = async () => ({
  signer: '',
  verdict: 'indeterminate',
  reason: 'E_NOT_SET_UP',
});

/**
 * Who does what to a document, as the history and versions name them: the holder of the token
 * certificate that opens the vault; undefined otherwise (the worker falls back to this
 * workstation's name in HQ's directory).
 */
export async function documentActor(vault: VaultService): Promise<string | undefined> {
  return (await vault.status()).token?.holder || undefined;
}

/**
 * A document's detail as the contract has it: each approval's signature verified now (never
 * trusted from storage) and shown on its history entry.
 */
export async function withVerifiedApprovals(
  detail: WorkerOutput<'documents.get'>,
  verify: ApprovalVerifier,
): Promise<DocumentDetail> {
  const { approvals, ...rest } = detail;
  const history = [...rest.history];
  for (const a of approvals) {
    const event = history[a.event];
    if (!event) continue;
    // The signed encoding must name this document and the version the entry approved: a
    // signature moved from another document or version verifies, but is not this approval.
    const subject = approvalSubject(a.content);
    const approval =
      subject?.document === rest.document.id && subject.version === event.version
        ? await verify(a.content, a.signature)
        : { signer: '', verdict: 'invalid' as const, reason: 'E_APPROVAL_OTHER_VERSION' };
    history[a.event] = { ...event, approval };
  }
  return { ...rest, history };
}

/**
 * The vault's calls on top of the vault service. The contract has already validated every
 * input; these map it onto worker operations (the bytes of attachments as transferred buffers,
 * base64 only at the contract edge).
 */
export function createVaultHandlers(
  vault: VaultService,
  verifyApproval: ApprovalVerifier = unverified,
  transitions: DocumentTransitions = createDocumentTransitions(vault),
  /** A receipt was queued by a registration: the core has sync send it now. */
  receiptQueued: () => void = () => undefined,
): VaultHandlers {
  const detail = async (d: WorkerOutput<'documents.get'>) => withVerifiedApprovals(d, verifyApproval);
  const register = async (input: { id: string; registrationNumber?: string | undefined }) => {
    const result = await vault.run('sync.receipt.register', {
      ...input,
      now: Date.now(),
      actor: await documentActor(vault),
    });
    if (result.receipt === 'queued') receiptQueued();
    return result;
  };
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
    // The core tells HQ first when it can (core.ts); the vault alone cannot.
    'vault.wipe': async () => ({
      wiped: true as const,
      elapsedMs: (await vault.wipe()).elapsedMs,
      hq: 'not-told' as const,
    }),
    'vault.loadSampleData': () => loadSampleData(vault),
    'documents.list': (input) => vault.run('documents.list', input),
    'documents.get': async (input) => detail(await vault.run('documents.get', input)),
    'documents.add': async (input) =>
      vault.run('documents.add', { ...input, author: await documentActor(vault) }),
    'documents.update': async (input) =>
      detail(await vault.run('documents.update', { ...input, actor: await documentActor(vault) })),
    // Approval is a signature: `documents.approve` (document-signing-handlers.ts).
    'documents.transition': async (input) => {
      if (input.to === 'approved') {
        throw new CoreError(ErrorCode.TransitionRefused, 'approval is a signature: use documents.approve');
      }
      if (input.to === 'registered') {
        // Registering a received document sends its acknowledgement of receipt: one path for both.
        await register({ id: input.id });
        return detail(await vault.run('documents.get', { id: input.id }));
      }
      return detail(
        await transitions.move({
          id: input.id,
          to: input.to,
          cause: 'officer',
          actor: await documentActor(vault),
        }),
      );
    },
    'documents.archive': async (input) =>
      vault.run('documents.archive', { ...input, actor: await documentActor(vault) }),
    'documents.register': (input) => register(input),
    'documents.receipts': (input) => vault.run('sync.receipt.list', input),
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
    'attachments.read': async (input) => chunkOut(await vault.run('attachments.read', input)),
    'messages.threads': (input) => vault.run('messages.threads', input),
    'messages.list': (input) => vault.run('messages.list', input),
    'messages.add': (input) => vault.run('messages.add', input),
    'messages.markRead': (input) => vault.run('messages.markRead', input),
    'messages.updateDraft': (input) => vault.run('messages.updateDraft', input),
    'messages.deleteDraft': (input) => vault.run('messages.deleteDraft', input),
    'messages.files.add': (input) => {
      const bytes = new Uint8Array(Buffer.from(input.base64, 'base64'));
      return vault.run('messages.files.add', { name: input.name, mediaType: input.mediaType, bytes }, [
        bytes.buffer,
      ]);
    },
    'messages.files.read': async (input) => chunkOut(await vault.run('messages.files.read', input)),
    'documents.markRead': (input) => vault.run('documents.markRead', input),
    search: (input) => vault.run('search', input),
  };
}

/** A chunk read in the worker, as the contract answers it (base64); the bytes are wiped. */
function chunkOut(chunk: { id: string; offset: number; bytes: Uint8Array; size: number; eof: boolean }) {
  const base64 = Buffer.from(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.byteLength).toString(
    'base64',
  );
  chunk.bytes.fill(0);
  return { id: chunk.id, offset: chunk.offset, base64, size: chunk.size, eof: chunk.eof };
}
