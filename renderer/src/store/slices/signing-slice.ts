import type { z } from 'zod';
import type { CallInput } from '../../../../shared/contract/calls';
import type { CallOutput } from '../../../../shared/contract/calls';
import type { SignJobStatus } from '../../../../shared/contract/document-signing-calls';
import type { ContractError } from '../../../../shared/contract/errors';
import type { TokenEntry, VerifyReportSchema } from '../../../../shared/contract/signing-calls';
import type { Slice, SliceDeps } from '../slice';

export type TokenListing = z.infer<typeof TokenEntry>;
export type VerifyReport = z.infer<typeof VerifyReportSchema>;
/** A PDF's signature fields and what would refuse signing it (`sign.fields`). */
export type SigningOutlook = CallOutput<'sign.fields'>;

/** How often a running signing job is asked for its progress. */
const POLL_MS = 300;

export interface SigningSlice {
  tokens: TokenListing[] | null;
  tokensError: ContractError | null;
  tokensRequested(): Promise<void>;
  /** The signing batch under way or last finished (one at a time, from this window). */
  signJob: SignJobStatus | null;
  signError: ContractError | null;
  /** Starts a batch and follows it to the end; resolves with its final status. */
  signStarted(input: CallInput<'sign.documents'>): Promise<SignJobStatus | null>;
  signCancelled(): Promise<void>;
  signCleared(): void;
  /** Signature fields of vault attachments, by attachment id (the sign form lists them). */
  signOutlooks: Record<string, SigningOutlook | ContractError>;
  signOutlookRequested(attachmentId: string): Promise<void>;
  /** Verification of vault attachments, by attachment id. */
  attachmentReports: Record<string, VerifyReport | ContractError>;
  attachmentVerified(id: string): Promise<void>;
  /** "Verify a file": the last report, or why it could not be made. */
  fileReport: VerifyReport | null;
  fileReportError: ContractError | null;
  fileVerified(base64: string, contentBase64?: string): Promise<void>;
}

export const emptySigning = {
  attachmentReports: {},
  signOutlooks: {},
  signJob: null,
  signError: null,
} satisfies Partial<SigningSlice>;

export const signingSlice =
  ({ client }: SliceDeps): Slice<SigningSlice> =>
  (set, get) => {
    let tokenRequests = 0;
    return {
      tokens: null,
      tokensError: null,
      ...emptySigning,
      fileReport: null,
      fileReportError: null,
      async tokensRequested() {
        // Only the latest request's answer counts: an earlier one (on the driver the officer
        // has just changed away from, say) may come back last and would hide the token.
        const asked = ++tokenRequests;
        const result = await client.call('token.list', {});
        if (asked !== tokenRequests) return;
        if (result.ok) set({ tokens: result.value.tokens, tokensError: null });
        else set({ tokens: [], tokensError: result.error });
      },
      async signStarted(input) {
        set({ signError: null, signJob: null });
        const started = await client.call('sign.documents', input);
        if (!started.ok) {
          set({ signError: started.error });
          return null;
        }
        let status = started.value;
        set({ signJob: status });
        while (status.state === 'running') {
          await new Promise((r) => setTimeout(r, POLL_MS));
          const next = await client.call('sign.progress', { jobId: status.jobId });
          if (!next.ok) {
            set({ signError: next.error });
            return null;
          }
          status = next.value;
          set({ signJob: status });
        }
        // Signed documents changed status and gained an attachment.
        get().documentsInvalidated();
        const open = get().openDocument;
        if (open && input.documentIds.includes(open.document.id))
          await get().documentOpened(open.document.id);
        return status;
      },
      async signCancelled() {
        const job = get().signJob;
        if (job?.state === 'running') await client.call('sign.cancel', { jobId: job.jobId });
      },
      signCleared: () => set({ signJob: null, signError: null }),
      async signOutlookRequested(attachmentId) {
        const result = await client.call('sign.fields', { attachmentId });
        set({
          signOutlooks: { ...get().signOutlooks, [attachmentId]: result.ok ? result.value : result.error },
        });
      },
      async attachmentVerified(id) {
        const result = await client.call('verify.attachment', { id });
        set({
          attachmentReports: { ...get().attachmentReports, [id]: result.ok ? result.value : result.error },
        });
      },
      async fileVerified(base64, contentBase64) {
        set({ fileReport: null, fileReportError: null });
        const result = await client.call(
          'verify.bytes',
          contentBase64 ? { base64, contentBase64 } : { base64 },
        );
        set(result.ok ? { fileReport: result.value } : { fileReportError: result.error });
      },
    };
  };
