/**
 * The wire protocol between a workstation and the HQ relay (`hq/`), version 1: this folder's
 * public face.
 *
 * The relay is a store-and-forward mailbox of ciphertext: it never sees a key that could open
 * what it stores. Everything here is pure TypeScript (zod only) so the relay, the core's sync
 * engine and tests share one definition of every body. Every JSON body is a `.strict()`
 * schema: an unknown field is an error, never ignored, so a client and a relay that disagree
 * about the protocol fail loudly instead of silently dropping data.
 *
 * Parts: field types (wire-fields.ts), health, errors and sessions (session.ts), enrolment
 * (enrolment.ts), mail, inbox and push (mail.ts), prekeys and the directory (directory.ts),
 * and the bytes each party signs (signed-messages.ts, labels in ../signing-contexts.ts).
 */
export { RelayErrorCode } from '../sync-error-codes';
export { DEVICE_ID_BYTES } from '../device-id';
export {
  AUTH_SESSION_CONTEXT,
  DIRECTORY_CHAIN_CONTEXT,
  DIRECTORY_CONTEXT,
  ENROL_CONTEXT,
  PREKEY_CONTEXT,
  TOKEN_ENROL_CONTEXT,
} from '../signing-contexts';
export * from './wire-fields';
export * from './session';
export * from './enrolment';
export * from './mail';
export * from './directory';
export * from './directory-chain';
export * from './signed-messages';
export * from './policy';
export * from './audit';
