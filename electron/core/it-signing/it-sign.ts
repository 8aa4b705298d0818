import { z } from 'zod';
import { ErrorCode } from '../../../shared/contract/errors';
import { ItHeader, KeyId, type ItDocument } from '../../../shared/it/it-document';
import { fromB64, keyIdOf, signedBytes, toB64, type Sodium } from './it-crypto';
import { ItError } from './it-errors';

/**
 * IT's side: key pairs and signatures. Each key holder signs on their own machine; signatures
 * are merged into the document (one per key id, the newest replacing an older one by the same
 * key), so k holders passing one file around produce a document with k signatures.
 */

/** A key file as `embassy it keygen` writes it (mode 0600; never in the repo). */
export const ItKeyFile = z
  .object({
    type: z.literal('embassy.it.key'),
    keyid: KeyId,
    scheme: z.literal('ed25519'),
    public: z.string().length(44),
    secret: z.string().length(88),
  })
  .strict();
export type ItKeyFile = z.infer<typeof ItKeyFile>;

/** The public half, safe to share with whoever writes the root. */
export type ItPublicKey = Omit<ItKeyFile, 'secret' | 'type'> & { readonly type: 'embassy.it.public-key' };

export function generateItKey(s: Sodium): ItKeyFile {
  const { publicKey, privateKey } = s.crypto_sign_keypair();
  const file: ItKeyFile = {
    type: 'embassy.it.key',
    keyid: keyIdOf(s, publicKey),
    scheme: 'ed25519',
    public: toB64(s, publicKey),
    secret: toB64(s, privateKey),
  };
  s.memzero(privateKey);
  return file;
}

export function publicOf(key: ItKeyFile): ItPublicKey {
  return { type: 'embassy.it.public-key', keyid: key.keyid, scheme: key.scheme, public: key.public };
}

/**
 * Adds `key`'s signature to `doc` (or to a bare payload, which becomes a document). Refuses a key
 * file whose id or halves do not match, and a payload with no canonical form.
 */
export function signItDocument(
  s: Sodium,
  doc: ItDocument | ItDocument['signed'],
  key: ItKeyFile,
): ItDocument {
  const document: ItDocument =
    'signed' in doc && 'signatures' in doc
      ? (doc as ItDocument)
      : { signed: doc as ItDocument['signed'], signatures: [] };
  const header = ItHeader.safeParse(document.signed);
  if (!header.success) throw new ItError(ErrorCode.ItMalformed, 'no type, version or expiry to sign');
  const secret = fromB64(s, key.secret);
  try {
    const pub = fromB64(s, key.public);
    if (
      secret.length !== 64 ||
      keyIdOf(s, pub) !== key.keyid ||
      s.compare(s.crypto_sign_ed25519_sk_to_pk(secret), pub) !== 0
    )
      throw new ItError(ErrorCode.ItMalformed, 'the key file is inconsistent');
    let message: Uint8Array;
    try {
      message = signedBytes(s, document.signed);
    } catch {
      throw new ItError(ErrorCode.ItMalformed, 'the payload has no canonical JSON form');
    }
    const sig = toB64(s, s.crypto_sign_detached(message, secret));
    return {
      signed: document.signed,
      signatures: [...document.signatures.filter((x) => x.keyid !== key.keyid), { keyid: key.keyid, sig }],
    };
  } finally {
    s.memzero(secret);
  }
}
