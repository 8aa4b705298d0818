import type { X509Certificate } from 'node:crypto';
import type { TokenClient, TokenRef } from '../token';
import { allowsSigning, displayName, parseCertificates } from './certificates';

/** Inserted tokens and the certificates on each, as `token.list` answers them. */

export interface TokenCertificateInfo {
  readonly keyId: string;
  readonly label: string;
  readonly holder: string;
  readonly issuer: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly keyType: 'rsa' | 'ec' | 'other';
  readonly isCa: boolean;
  readonly canSign: boolean;
}

export interface TokenListing {
  readonly label: string;
  readonly serial: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly pinCountLow: boolean;
  readonly pinFinalTry: boolean;
  readonly pinLocked: boolean;
  readonly certificates: TokenCertificateInfo[];
}

/** A certificate object on a token, parsed; its CKA_ID names the key pair beside it. */
export interface TokenCertificate {
  readonly id: string;
  readonly label: string;
  readonly cert: X509Certificate;
}

/** The parsable certificates on a token; an unparsable object is not offered. */
export async function certificatesOn(c: TokenClient, token: TokenRef): Promise<TokenCertificate[]> {
  const objects = await c.listObjects(token);
  return objects.certificates.flatMap((o) => {
    try {
      return [
        {
          id: o.id,
          label: o.label,
          cert: parseCertificates(Buffer.from(o.der, 'base64'))[0] as X509Certificate,
        },
      ];
    } catch {
      return [];
    }
  });
}

export async function listTokens(c: TokenClient): Promise<TokenListing[]> {
  const tokens = await c.listTokens();
  const out: TokenListing[] = [];
  for (const t of tokens) {
    const certs = await certificatesOn(c, { serial: t.serial }).catch(() => []);
    out.push({
      label: t.label,
      serial: t.serial,
      manufacturer: t.manufacturer,
      model: t.model,
      pinCountLow: t.flags.pinCountLow,
      pinFinalTry: t.flags.pinFinalTry,
      pinLocked: t.flags.pinLocked,
      certificates: certs.map(({ id, label, cert }) => {
        const kt = cert.publicKey.asymmetricKeyType;
        return {
          keyId: id,
          label,
          holder: displayName(cert.subject),
          issuer: displayName(cert.issuer),
          notBefore: new Date(cert.validFrom).toISOString(),
          notAfter: new Date(cert.validTo).toISOString(),
          keyType: kt === 'ec' ? 'ec' : kt === 'rsa' || kt === 'rsa-pss' ? 'rsa' : 'other',
          isCa: cert.ca,
          canSign: !cert.ca && allowsSigning(cert),
        };
      }),
    });
  }
  return out;
}
