/**
 * End-to-end envelopes, versions 1 and 2: pure cryptography over bytes, no I/O. The byte layout,
 * what is signed and why it gives forward secrecy are in docs/protocols/envelope-v1.md.
 * Every primitive is libsodium's; nothing here logs, and no
 * error message carries a key or plaintext.
 *
 * Parts: the layout's sizes and header shapes (envelope-layout.ts), framing
 * (envelope-frame.ts), key wraps and stream binding (key-wrap.ts), the sender's signature
 * (envelope-signature.ts), sealing (seal.ts) and opening (open.ts).
 */
export {
  ENVELOPE_CONTEXT,
  STREAM_AD_CONTEXT,
  WRAP_AD_CONTEXT,
  WRAP_KEY_CONTEXT,
} from '../../../../shared/sync/signing-contexts';
export type { DeviceKeys, DevicePrekey, PrekeySecret } from '../device-keys';
export { EnvelopeError, type EnvelopeErrorCode } from './envelope-error';
export {
  ENVELOPE_CHUNK_SIZE,
  ENVELOPE_VERSION,
  ENVELOPE_VERSIONS,
  MAX_ENVELOPE_BYTES,
  MAX_HEADER_BYTES,
  MAX_RECIPIENTS,
  type EnvelopeDirectoryHead,
  type EnvelopeHeader,
  type EnvelopeKeyWrap,
  type EnvelopeKind,
} from './envelope-layout';
export { parseEnvelopeFrame, peekEnvelopeHeader, type EnvelopeFrame } from './envelope-frame';
export { assembleEnvelope } from './envelope-signature';
export { streamAssociatedData, unwrapContentKey } from './key-wrap';
export { sealEnvelope, type EnvelopeRecipient, type SealInput } from './seal';
export { openEnvelope, type OpenContext, type OpenedEnvelope } from './open';
