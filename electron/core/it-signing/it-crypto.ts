import sodium from 'libsodium-wrappers-sumo';
import { canonicalJson } from '../../../shared/encoding/canonical-json';
import { toHex } from '../../../shared/encoding/hex';
import { IT_SIGNING_CONTEXT } from '../../../shared/it/it-document';

/**
 * The primitives of it-signed-v1, all from libsodium: Ed25519 detached signatures over the
 * context line and the canonical JSON of the payload, SHA-256 key ids, standard base64.
 */
export type Sodium = typeof sodium;

export async function itSodium(): Promise<Sodium> {
  await sodium.ready;
  return sodium;
}

const B64 = () => sodium.base64_variants.ORIGINAL;

export const toB64 = (s: Sodium, bytes: Uint8Array): string => s.to_base64(bytes, B64());
export const fromB64 = (s: Sodium, text: string): Uint8Array => s.from_base64(text, B64());

/** The bytes a signature covers. Throws on data with no canonical form. */
export function signedBytes(s: Sodium, signed: unknown): Uint8Array {
  return s.from_string(IT_SIGNING_CONTEXT + canonicalJson(signed));
}

/** Key id: lowercase hex SHA-256 of the raw public key. */
export const keyIdOf = (s: Sodium, publicKey: Uint8Array): string => toHex(s.crypto_hash_sha256(publicKey));
