/** The vault's public face: the service and its handlers, the token key binding, libsodium. */
export { loadSodium, type Sodium } from './sodium';
export {
  createVaultService,
  type LockReason,
  type VaultAuditHooks,
  type VaultService,
  type VaultServiceOptions,
} from './vault-service';
export {
  createVaultHandlers,
  documentActor,
  withVerifiedApprovals,
  type ApprovalVerifier,
} from './vault-handlers';
export { createTokenKeyWrapper } from './token-key-wrapper';
export type { PendingPdfText, VaultRepository } from './vault-repository';
export type { PdfTextSource } from './pdf-text-link';
export {
  createDocumentTransitions,
  type DocumentTransitioned,
  type DocumentTransitions,
  type TransitionListener,
} from './document-transitions';
