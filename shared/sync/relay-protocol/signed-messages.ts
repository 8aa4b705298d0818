import { concat, lengthPrefixed, u64be } from '../../encoding/bytes';
import { ascii, utf8Encode } from '../../encoding/text';
import { ID_HEX } from '../device-id';
import {
  AUTH_SESSION_CONTEXT,
  DIRECTORY_CONTEXT,
  ENROL_CONTEXT,
  PREKEY_CONTEXT,
  TOKEN_ENROL_CONTEXT,
  WIPED_CONTEXT,
} from '../signing-contexts';

/**
 * The exact bytes each party signs in the relay protocol. Each starts with its label
 * (signing-contexts.ts) and a 0 byte; every variable field is fixed-width, ASCII that cannot
 * hold a 0, or length-prefixed, so no two different messages share bytes.
 */

const ZERO = new Uint8Array([0]);

function key32(key: Uint8Array, what: string): Uint8Array {
  if (key.length !== 32) throw new Error(`${what} must be 32 bytes`);
  return key;
}

/**
 * What a device signs to enrol: context ‖ 0 ‖ signPublicKey ‖ boxPublicKey ‖ request. Binds
 * the box key and the request to the signing key, so nobody can enrol someone else's keys.
 */
export function enrolmentMessage(
  signPublicKey: Uint8Array,
  boxPublicKey: Uint8Array,
  request: Uint8Array,
): Uint8Array {
  return concat([ascii(ENROL_CONTEXT), ZERO, signPublicKey, boxPublicKey, request]);
}

/**
 * What a device signs to open a session: context ‖ 0 ‖ deviceId ‖ 0 ‖ HQ certificate
 * fingerprint (hex, as the device pinned it) ‖ 0 ‖ nonce. The fingerprint binds the answer to
 * the TLS endpoint the device believes it talks to: a relay behind another certificate cannot
 * forward the challenge and reuse the answer.
 */
export function authSessionMessage(
  deviceId: string,
  hqFingerprintHex: string,
  nonce: Uint8Array,
): Uint8Array {
  return concat([
    ascii(AUTH_SESSION_CONTEXT),
    ZERO,
    ascii(deviceId),
    ZERO,
    ascii(hqFingerprintHex),
    ZERO,
    nonce,
  ]);
}

/**
 * What the officer's token signs to certify a device (see {@link EnrolmentCertification}):
 * `embassy-hq/v1/token-enroll` ‖ 0 ‖ signPublicKey (32) ‖ boxPublicKey (32) ‖ 0 ‖
 * len(name) ‖ UTF-8 name ‖ len(department) ‖ UTF-8 department, each length 4 bytes big-endian.
 * The token's own hash-and-sign (SHA-256) is applied to these bytes, not a digest of them.
 */
export function tokenEnrolmentMessage(
  signPublicKey: Uint8Array,
  boxPublicKey: Uint8Array,
  officerName: string,
  department: string,
): Uint8Array {
  return concat([
    ascii(TOKEN_ENROL_CONTEXT),
    ZERO,
    key32(signPublicKey, 'signPublicKey'),
    key32(boxPublicKey, 'boxPublicKey'),
    ZERO,
    lengthPrefixed(utf8Encode(officerName)),
    lengthPrefixed(utf8Encode(department)),
  ]);
}

/**
 * What a device signs (Ed25519) to publish a prekey: `embassy/v1/prekey` ‖ 0 ‖ deviceId (ASCII
 * hex) ‖ 0 ‖ prekeyId (ASCII hex) ‖ 0 ‖ publicKey (32) ‖ createdAt (8 bytes big-endian, ms).
 * Both ids must be 32 lowercase hex characters.
 */
export function prekeyMessage(
  deviceId: string,
  prekeyId: string,
  publicKey: Uint8Array,
  createdAt: number,
): Uint8Array {
  if (!ID_HEX.test(deviceId)) throw new Error('prekeyMessage: device id must be 32 lowercase hex');
  if (!ID_HEX.test(prekeyId)) throw new Error('prekeyMessage: prekey id must be 32 lowercase hex');
  return concat([
    ascii(PREKEY_CONTEXT),
    ZERO,
    ascii(deviceId),
    ZERO,
    ascii(prekeyId),
    ZERO,
    key32(publicKey, 'publicKey'),
    u64be(createdAt),
  ]);
}

/** What HQ signs (Ed25519) for the directory: `embassy-hq/v1/directory` ‖ 0 ‖ directory bytes. */
export function directoryMessage(directoryBytes: Uint8Array): Uint8Array {
  return concat([ascii(DIRECTORY_CONTEXT), ZERO, directoryBytes]);
}

/**
 * What a device signs (Ed25519) to tell HQ its vault is being wiped, just before it wipes:
 * `embassy-hq/v1/device-wiped` ‖ 0 ‖ deviceId (ASCII hex) ‖ 0 ‖ HQ certificate fingerprint (hex,
 * as pinned) ‖ 0 ‖ wipedAt (8 bytes big-endian, ms). The fingerprint binds it to this HQ.
 */
export function wipedMessage(deviceId: string, hqFingerprintHex: string, wipedAt: number): Uint8Array {
  if (!ID_HEX.test(deviceId)) throw new Error('wipedMessage: device id must be 32 lowercase hex');
  return concat([
    ascii(WIPED_CONTEXT),
    ZERO,
    ascii(deviceId),
    ZERO,
    ascii(hqFingerprintHex),
    ZERO,
    u64be(wipedAt),
  ]);
}
