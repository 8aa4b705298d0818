import pkcs11js from 'pkcs11js';
import { attr, findObjects, quietly, wrap, type P11 } from './pkcs11-host-calls';
import { findSlot } from './pkcs11-host-slots';
import type { TokenPublicKey, TokenRef, TokenValue } from './token-protocol';

/** DER-encoded namedCurve OIDs (CKA_EC_PARAMS) we recognise. */
const CURVES: Readonly<Record<string, { oid: string; bits: number }>> = {
  '06082a8648ce3d030107': { oid: '1.2.840.10045.3.1.7', bits: 256 },
  '06052b81040022': { oid: '1.3.132.0.34', bits: 384 },
  '06052b81040023': { oid: '1.3.132.0.35', bits: 521 },
};

/**
 * The public objects of a token (no login): its X.509 certificates and public keys, with the
 * key type and size (RSA modulus bits without leading zeros; the EC curve when we know it).
 */
export function listObjects(p11: P11, ref: TokenRef): TokenValue<'listObjects'> {
  const { slot } = findSlot(p11, ref);
  const session = wrap(() => p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION));
  const read = (h: Buffer, type: number) => attr(p11, session, h, type);
  try {
    const certificates = findObjects(p11, session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
      { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
    ]).map((h) => ({
      id: read(h, pkcs11js.CKA_ID).toString('hex'),
      label: read(h, pkcs11js.CKA_LABEL).toString('utf8'),
      der: read(h, pkcs11js.CKA_VALUE).toString('base64'),
    }));
    const publicKeys = findObjects(p11, session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
    ]).flatMap((h): TokenPublicKey[] => {
      const common = {
        id: read(h, pkcs11js.CKA_ID).toString('hex'),
        label: read(h, pkcs11js.CKA_LABEL).toString('utf8'),
      };
      const kt = read(h, pkcs11js.CKA_KEY_TYPE).readUInt32LE(0);
      if (kt === pkcs11js.CKK_RSA) {
        const modulus = read(h, pkcs11js.CKA_MODULUS);
        let bytes = modulus.length;
        for (let i = 0; i < modulus.length && modulus[i] === 0; i++) bytes--;
        return [{ ...common, keyType: 'rsa', bits: bytes * 8 }];
      }
      if (kt === pkcs11js.CKK_EC) {
        const curve = CURVES[read(h, pkcs11js.CKA_EC_PARAMS).toString('hex')];
        return [{ ...common, keyType: 'ec', bits: curve?.bits ?? 0, ...(curve ? { curve: curve.oid } : {}) }];
      }
      return [];
    });
    return { certificates, publicKeys };
  } finally {
    quietly(() => p11.C_CloseSession(session));
  }
}
