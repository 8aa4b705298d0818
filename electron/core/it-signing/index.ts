/** The it-signed-v1 scheme: IT's keys, signatures, roots and their rotation (docs/protocols/it-signed-v1.md). */
export { itSodium, keyIdOf, toB64, fromB64, type Sodium } from './it-crypto';
export { ItError, type ItRefusal } from './it-errors';
export { generateItKey, ItKeyFile, publicOf, signItDocument, type ItPublicKey } from './it-sign';
export {
  checkSignatures,
  parseItDocument,
  rootPayloadOf,
  rotateRoot,
  trustPinnedRoot,
  verifyPayload,
  type TrustedRoot,
  type Verified,
} from './it-verify';
export {
  defaultItRootPath,
  PINNED_ROOT_FILE,
  verifyItText,
  verifyPolicy,
  walkRoots,
  type ItVerifyReport,
} from './it-chain';
