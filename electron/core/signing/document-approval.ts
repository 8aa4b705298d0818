import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type { HandlerTable } from '../contract';
import {
  documentActor,
  withVerifiedApprovals,
  type ApprovalVerifier,
  type DocumentTransitions,
  type VaultService,
} from '../vault';
import { signOptions, type SigningService } from './signing-service';

/**
 * Approval as a personal digital signature (the ministry's rule: digital signatures on all work
 * records). The approver's token signs a CAdES detached signature over the canonical encoding
 * of the document's current version (vault/approval-content.ts: metadata, text hash,
 * attachment hashes); the vault then moves the document from in review to approved, storing
 * the encoding and the signature in its history, and refuses the approval if the version
 * changed meanwhile. Every time the document is shown, the signature is verified again against
 * the trust anchors (`approvalVerifier`).
 */
export function createDocumentApprovalHandlers(deps: {
  vault: VaultService;
  signing: SigningService;
  transitions: DocumentTransitions;
}): Pick<HandlerTable, 'documents.approve'> {
  const { vault, signing, transitions } = deps;
  return {
    async 'documents.approve'(input) {
      const before = await vault.run('documents.get', { id: input.id });
      if (before.document.status !== 'in-review') {
        throw new CoreError(
          ErrorCode.TransitionRefused,
          `only a document in review can be approved (it is ${before.document.status})`,
        );
      }
      const { content } = await vault.run('documents.approvalContent', { id: input.id });
      let signature: Uint8Array | undefined;
      const [result] = await signing.signFiles({
        ...signOptions({ ...input, reason: 'approval' }),
        jobs: [
          {
            input: 'approval',
            output: 'approval.p7s',
            format: 'cades',
            read: async () => new Uint8Array(Buffer.from(content, 'utf8')),
            write: async (data) => {
              signature = data;
            },
          },
        ],
      });
      if (!result || !result.ok || !signature) {
        const error = result && !result.ok ? result.error : undefined;
        throw new CoreError(
          error?.code ?? ErrorCode.Internal,
          error?.message ?? 'the approval was not signed',
        );
      }
      const after = await transitions.move({
        id: input.id,
        to: 'approved',
        cause: 'officer',
        actor: await documentActor(vault),
        approval: { content, signature },
      });
      return withVerifiedApprovals(after, approvalVerifier(signing));
    },
  };
}

/** Verifies an approval's CAdES signature over the encoding it signed, with the configured trust. */
export function approvalVerifier(signing: SigningService): ApprovalVerifier {
  return async (content, signature) => {
    try {
      const report = await signing.verifyBytes(signature, new Uint8Array(Buffer.from(content, 'utf8')));
      const s = report.signatures[0];
      const reason = s?.reasons.find((r) => r.code)?.code ?? report.reasons[0]?.code;
      return {
        signer: s?.signer ?? '',
        verdict: report.verdict,
        ...(report.verdict !== 'valid' && reason ? { reason } : {}),
      };
    } catch (e) {
      return { signer: '', verdict: 'indeterminate', reason: e instanceof CoreError ? e.code : 'E_INTERNAL' };
    }
  };
}
