import { createHash } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { ErrorCode } from '../../../shared/contract/errors';
import { rawEcdsaToDer } from './ecdsa-signature';
import { attr, findObjects, quietly, type P11 } from './pkcs11-host-calls';
import { TokenError } from './token-errors';
import type { SignMechanism, TokenValue } from './token-protocol';

/**
 * What the token's keys do, on a logged-in session handle: sign, RSA-OAEP encrypt and
 * decrypt, ECDH derive. Keys are found by CKA_ID; the private key never leaves the token.
 */

/** PKCS#11 v2.40: OAEP encoding parameter source (pkcs11js has no constant for it). */
const CKZ_DATA_SPECIFIED = 0x0000_0001;

/** The key of class `cls` with this CKA_ID (E_TOKEN_KEY_NOT_FOUND if none). */
export function findKey(p11: P11, session: Buffer, cls: number, keyIdHex: string): Buffer {
  const handles = findObjects(p11, session, [
    { type: pkcs11js.CKA_CLASS, value: cls },
    { type: pkcs11js.CKA_ID, value: Buffer.from(keyIdHex, 'hex') },
  ]);
  const key = handles[0];
  if (!key) throw new TokenError(ErrorCode.TokenKeyNotFound);
  return key;
}

export function sign(
  p11: P11,
  session: Buffer,
  keyId: string,
  mechanism: SignMechanism,
  data: Buffer,
): TokenValue<'sign'> {
  const key = findKey(p11, session, pkcs11js.CKO_PRIVATE_KEY, keyId);
  let signature: Buffer;
  if (mechanism === 'ecdsa-sha256') {
    // SoftHSM and many tokens have no CKM_ECDSA_SHA256: hash here, sign the digest.
    const digest = createHash('sha256').update(data).digest();
    p11.C_SignInit(session, { mechanism: pkcs11js.CKM_ECDSA }, key);
    signature = rawEcdsaToDer(p11.C_Sign(session, digest, Buffer.alloc(132)));
  } else if (mechanism === 'rsa-pss-sha256') {
    const parameter: pkcs11js.RsaPSS = {
      type: pkcs11js.CK_PARAMS_RSA_PSS,
      hashAlg: pkcs11js.CKM_SHA256,
      mgf: pkcs11js.CKG_MGF1_SHA256,
      saltLen: 32,
    };
    p11.C_SignInit(session, { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS_PSS, parameter }, key);
    signature = p11.C_Sign(session, data, Buffer.alloc(1024));
  } else {
    p11.C_SignInit(session, { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS }, key);
    signature = p11.C_Sign(session, data, Buffer.alloc(1024));
  }
  return { signature: signature.toString('base64') };
}

export function oaep(
  p11: P11,
  session: Buffer,
  op: 'decrypt' | 'encrypt',
  keyId: string,
  hash: 'sha1' | 'sha256',
  data: Buffer,
): TokenValue<'decrypt'> {
  const parameter: pkcs11js.RsaOAEP = {
    type: pkcs11js.CK_PARAMS_RSA_OAEP,
    hashAlg: hash === 'sha256' ? pkcs11js.CKM_SHA256 : pkcs11js.CKM_SHA_1,
    mgf: hash === 'sha256' ? pkcs11js.CKG_MGF1_SHA256 : pkcs11js.CKG_MGF1_SHA1,
    source: CKZ_DATA_SPECIFIED,
  };
  const mech = { mechanism: pkcs11js.CKM_RSA_PKCS_OAEP, parameter };
  if (op === 'decrypt') {
    const key = findKey(p11, session, pkcs11js.CKO_PRIVATE_KEY, keyId);
    p11.C_DecryptInit(session, mech, key);
    const out = p11.C_Decrypt(session, data, Buffer.alloc(1024));
    return { data: out.toString('base64') };
  }
  const key = findKey(p11, session, pkcs11js.CKO_PUBLIC_KEY, keyId);
  p11.C_EncryptInit(session, mech, key);
  return { data: p11.C_Encrypt(session, data, Buffer.alloc(1024)).toString('base64') };
}

export function deriveEcdh(p11: P11, session: Buffer, keyId: string, peer: Buffer): TokenValue<'deriveEcdh'> {
  const key = findKey(p11, session, pkcs11js.CKO_PRIVATE_KEY, keyId);
  const parameter: pkcs11js.ECDH1 = {
    type: pkcs11js.CK_PARAMS_EC_DH,
    kdf: pkcs11js.CKD_NULL,
    publicData: peer,
  };
  // A session object (not stored on the token), extractable so the raw secret can be read
  // once; it is destroyed right after.
  const derived = p11.C_DeriveKey(session, { mechanism: pkcs11js.CKM_ECDH1_DERIVE, parameter }, key, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
    { type: pkcs11js.CKA_TOKEN, value: false },
    { type: pkcs11js.CKA_SENSITIVE, value: false },
    { type: pkcs11js.CKA_EXTRACTABLE, value: true },
    { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
  ]);
  try {
    const value = attr(p11, session, derived, pkcs11js.CKA_VALUE);
    const secret = value.toString('base64');
    value.fill(0);
    return { secret };
  } finally {
    quietly(() => p11.C_DestroyObject(session, derived));
  }
}
