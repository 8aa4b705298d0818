import { verify } from 'node:crypto';
import * as pkijs from 'pkijs';
import { KeyUsageBit, parseCrl, SIGNATURE_HASH, type ParsedCrl } from '../../../../shared/pki/x509-fields';
import type { CertificateProfile } from './certificate-profile';

/**
 * A certificate's revocation status from the CRLs at hand (RFC 5280 §6.3, simplified: full
 * CRLs from the certificate's own issuer, signed with the issuer's key; no delta or indirect
 * CRLs, no OCSP). A CRL counts only when its issuer name is the certificate's issuer, its
 * signature verifies with the issuer's key (node:crypto) and the issuer, if it has a keyUsage,
 * may sign CRLs. A listing counts from any such CRL, stale or not: a revocation is never undone.
 */

/** A CRL parsed once, with its issuer name for matching. */
export interface LoadedCrl {
  readonly der: Uint8Array;
  readonly parsed: ParsedCrl;
  readonly issuer: pkijs.RelativeDistinguishedNames;
}

/** Parsed once per buffer (a PDF's signatures share the DSS and the cached CRLs). */
const loaded = new WeakMap<Uint8Array, LoadedCrl | null>();

function loadCrl(der: Uint8Array): LoadedCrl | undefined {
  let crl = loaded.get(der);
  if (crl === undefined) {
    const bytes = new Uint8Array(der);
    const parsed = parseCrl(bytes);
    try {
      crl = parsed
        ? { der: bytes, parsed, issuer: pkijs.CertificateRevocationList.fromBER(bytes).issuer }
        : null;
    } catch {
      crl = null;
    }
    loaded.set(der, crl);
  }
  return crl ?? undefined;
}

export function loadCrls(ders: readonly Uint8Array[]): LoadedCrl[] {
  return ders.flatMap((der) => loadCrl(der) ?? []);
}

export type RevocationStatus =
  /** An adequate CRL does not list it. */
  | { readonly status: 'good' }
  /** Listed, with the earliest revocation date found. */
  | { readonly status: 'revoked'; readonly at: Date }
  /** Only CRLs past their nextUpdate (or without one), none issued after the proven time. */
  | { readonly status: 'stale' }
  /** No CRL from this issuer. */
  | { readonly status: 'none' };

export interface RevocationTimes {
  /** When the certificate is proven to have been used by (a timestamp's time, else now). */
  readonly poe: Date;
  /** The current time: a CRL is fresh until its nextUpdate. */
  readonly now: Date;
}

function signedBy(crl: ParsedCrl, issuer: CertificateProfile): boolean {
  const hash = SIGNATURE_HASH[crl.signatureAlgorithm];
  if (!hash) return false;
  try {
    return verify(hash, crl.tbs, issuer.cert.publicKey, crl.signature);
  } catch {
    return false;
  }
}

export function revocationStatus(
  cert: CertificateProfile,
  issuer: CertificateProfile,
  crls: readonly LoadedCrl[],
  times: RevocationTimes,
): RevocationStatus {
  if (issuer.keyUsage !== undefined && (issuer.keyUsage & KeyUsageBit.cRLSign) === 0)
    return { status: 'none' };
  const usable = crls.filter((c) => c.issuer.isEqual(cert.issuer) && signedBy(c.parsed, issuer));
  if (usable.length === 0) return { status: 'none' };
  const serial = BigInt(`0x${cert.cert.serialNumber || '0'}`);
  const dates = usable.flatMap((c) => c.parsed.revoked.filter((e) => e.serial === serial).map((e) => e.at));
  if (dates.length > 0)
    return { status: 'revoked', at: new Date(Math.min(...dates.map((d) => d.getTime()))) };
  // Fresh: the current list (now before its nextUpdate), or one issued after the proven time
  // of use (a CRL kept in the file's DSS for long-term validation).
  const adequate = usable.some(
    ({ parsed }) =>
      (parsed.nextUpdate !== undefined &&
        parsed.thisUpdate.getTime() <= times.now.getTime() &&
        times.now.getTime() <= parsed.nextUpdate.getTime()) ||
      (times.poe.getTime() < times.now.getTime() && parsed.thisUpdate.getTime() >= times.poe.getTime()),
  );
  return adequate ? { status: 'good' } : { status: 'stale' };
}
