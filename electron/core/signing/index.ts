/** Signing and verification: the service, its contract handlers and the trust sources. */
export { createSigningService, type SigningService, type SigningServiceOptions } from './signing-service';
export { createSigningHandlers } from './signing-handlers';
export { createDocumentSigningHandlers } from './document-signing';
export { loadTrust, type TrustSources } from './trust-store';
