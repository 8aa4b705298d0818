/**
 * Certificate path validation (RFC 5280): the one rule for signing's pre-check, signature
 * verification and `embassy cert verify`. Reasons are the closed list of `path-reason-specs.ts`.
 */
export {
  DOCUMENT_SIGNING_EKUS,
  validatePath,
  type PathPurpose,
  type PathValidation,
  type PathValidationInput,
} from './validate-path';
export { PATH_REASONS, type PathReasonCode } from './path-reason-specs';
