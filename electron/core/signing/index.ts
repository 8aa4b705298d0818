/**
 * Signing's public face: the service (tokens, batch signing, verification), the contract
 * handlers, trust loading and the verifiers. PDFs are parsed in the PDF sandbox
 * (pdf-sandbox/), never here.
 */
export {
  createSigningService,
  signOptions,
  writeFileAtomic,
  type FileResult,
  type SignFormat,
  type SignJob,
  type SignProgress,
  type SignRequest,
  type SigningService,
  type SigningServiceOptions,
  type TokenCertificateInfo,
  type TokenListing,
} from './signing-service';
export { createSigningHandlers, defaultOutput, type SigningHandlers } from './signing-handlers';
export { createDocumentSigningHandlers, type DocumentSigningHandlers } from './document-signing';
export { createTimestampQueue, type TimestampQueue } from './timestamp-queue';
export { createValidationDataHandlers } from './validation-data-handlers';
export { defaultAnchorsDir, loadCertificatesFromDir, loadTrust, type TrustSources } from './trust-store';
export {
  verifyCades,
  verifyPdf,
  type CertificateSummary,
  type SignatureReport,
  type TrustSettings,
  type VerifyReport,
} from './verify';
export { type Reason, type ReasonCode, type Severity, type Verdict } from './verdict';
export { approvalVerifier, createDocumentApprovalHandlers } from './document-approval';
export { signedCopyName } from './signed-copy-name';
export { trustAnchorsInUse, type AnchorEntry } from './trust-anchors';
