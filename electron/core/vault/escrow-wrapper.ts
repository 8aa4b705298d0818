import type { EscrowWrappedVaultKey } from './key-wrapper';
import type { Sodium } from './sodium';
import type { VaultKey } from './vault-key';

/** The HQ recovery public key (X25519) that policy names for escrow. */
export interface EscrowRecipient {
  readonly publicKey: Uint8Array;
  readonly label: string;
}

/**
 * Escrow: the vault key sealed (crypto_box_seal: anonymous sender, X25519 + XSalsa20-Poly1305)
 * to HQ's recovery key, prefixed with the vault id so HQ knows which vault it opens. Only HQ's
 * private key opens it; the workstation can write it but never read it back.
 */
export function sealToEscrow(
  sodium: Sodium,
  key: VaultKey,
  vaultId: string,
  recipient: EscrowRecipient,
): EscrowWrappedVaultKey {
  if (recipient.publicKey.length !== sodium.crypto_box_PUBLICKEYBYTES) {
    throw new Error('the escrow recipient key is not an X25519 public key');
  }
  const message = new Uint8Array(16 + key.length);
  message.set(sodium.from_hex(vaultId), 0);
  message.set(key, 16);
  try {
    const ciphertext = sodium.crypto_box_seal(message, recipient.publicKey);
    return {
      kind: 'escrow',
      alg: 'x25519-xsalsa20poly1305-sealedbox',
      recipient: {
        keyId: sodium.to_hex(sodium.crypto_generichash(16, recipient.publicKey, null)),
        label: recipient.label,
      },
      ciphertext: sodium.to_base64(ciphertext, sodium.base64_variants.ORIGINAL),
    } as EscrowWrappedVaultKey;
  } finally {
    sodium.memzero(message);
  }
}

/** HQ's side (and the tests'): opens an escrow record with the recovery key pair. */
export function openEscrow(
  sodium: Sodium,
  record: EscrowWrappedVaultKey,
  keyPair: { publicKey: Uint8Array; privateKey: Uint8Array },
): { vaultId: string; key: Uint8Array } {
  const plain = sodium.crypto_box_seal_open(
    sodium.from_base64(record.ciphertext, sodium.base64_variants.ORIGINAL),
    keyPair.publicKey,
    keyPair.privateKey,
  );
  return { vaultId: sodium.to_hex(plain.subarray(0, 16)), key: plain.slice(16) };
}
