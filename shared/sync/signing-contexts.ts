/**
 * Every domain-separation label of the sync protocol, in one place: each signature, key
 * derivation and associated data starts with its label and a 0 byte, so a signature made for
 * one purpose never verifies for another. Never change one: it is part of the wire format
 * (docs/protocols/: envelope-v1.md, directory-v2.md, relay-api-v1.md).
 */

/** The device key's proof that it enrols its own keys (relay-protocol `enrolmentMessage`). */
export const ENROL_CONTEXT = 'embassy-hq/v1/enroll';
/** The device key's answer to a session challenge (`authSessionMessage`). */
export const AUTH_SESSION_CONTEXT = 'embassy-hq/v1/auth-session';
/** The officer's token certifying a device's keys (`tokenEnrolmentMessage`). */
export const TOKEN_ENROL_CONTEXT = 'embassy-hq/v1/token-enroll';
/** The device key over a published prekey (`prekeyMessage`). */
export const PREKEY_CONTEXT = 'embassy/v1/prekey';
/** The device key's notice that its vault was wiped (`wipedMessage`). */
export const WIPED_CONTEXT = 'embassy-hq/v1/device-wiped';
/** HQ's key over the device directory (`directoryMessage`). */
export const DIRECTORY_CONTEXT = 'embassy-hq/v1/directory';

/** The sender's signature over an envelope. */
export const ENVELOPE_CONTEXT = 'embassy/v1/envelope';
/** Derivation of a recipient's wrapping key. */
export const WRAP_KEY_CONTEXT = 'embassy/v1/wrap';
/** Associated data of a wrapped content key. */
export const WRAP_AD_CONTEXT = 'embassy/v1/wrap-ad';
/** Associated data of every payload chunk. */
export const STREAM_AD_CONTEXT = 'embassy/v1/stream';
/** A link of HQ's directory hash chain (`directoryChainMessage`), hashed with SHA-256. */
export const DIRECTORY_CHAIN_CONTEXT = 'embassy-hq/v2/directory-chain';

/** The start of each officer's side of a safety number (docs/protocols/safety-number-v1.md). */
export const SAFETY_NUMBER_CONTEXT = 'embassy/safety-number/v1';
