import { X509Certificate } from 'node:crypto';
import * as pkijs from 'pkijs';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type { PdfSandbox } from '../pdf-sandbox';
import { checkCms, cmsOfContents } from './cms';
import { validatePath } from './path';
import type { TrustSettings } from './verify';

/**
 * PAdES B-LT: the validation data a verifier needs years later, put into the PDF's Document
 * Security Store while it can still be had: for every signature and signature timestamp in the
 * file, the certificate path to an anchor and the CRLs of the CAs on it (from the configured
 * CRLs and the DSS already there). The sandbox writes the DSS as an incremental update
 * (`pdf-ltv.ts`), which modification analysis allows; here, that it only appended is checked.
 * Nothing is judged here: a CRL or certificate in the DSS is path-building material, weighed
 * by `validatePath` like any other when the file is verified.
 */

export interface ValidationDataResult {
  readonly bytes: Buffer;
  /** Certificates and CRLs offered to the DSS (the sandbox leaves out those already in it). */
  readonly certs: number;
  readonly crls: number;
}

const der = (c: X509Certificate) => new Uint8Array(c.raw);
const nameKey = (n: pkijs.RelativeDistinguishedNames) =>
  Buffer.from(n.toSchema().toBER(false)).toString('hex');

/** The path of `target` at `now` (whatever its verdict: a verifier may need it to say why). */
function pathOf(
  target: X509Certificate,
  carried: readonly X509Certificate[],
  trust: TrustSettings,
  crls: readonly Uint8Array[],
  now: Date,
): readonly X509Certificate[] {
  return validatePath({
    target,
    untrusted: [...carried, ...(trust.intermediates ?? [])],
    anchors: trust.anchors,
    crls,
    at: now,
    now,
    purpose: 'any',
  }).chain;
}

/** Appends a DSS with the chains and CRLs of every signature in `pdf`. */
export async function addValidationData(
  pdf: Uint8Array,
  trust: TrustSettings,
  sandbox: PdfSandbox,
  now: Date,
): Promise<ValidationDataResult> {
  const bytes = Buffer.from(pdf);
  const facts = await sandbox.signatures(bytes);
  if (facts.format !== 'ok' || facts.signatures.length === 0)
    throw new CoreError(
      ErrorCode.SignUnsupportedFile,
      'the file has no signature to add validation data for',
    );
  const dssCerts = facts.dss.certs.flatMap((d) => {
    try {
      return [new X509Certificate(d)];
    } catch {
      return [];
    }
  });
  const crlPool = [...(trust.crls ?? []), ...facts.dss.crls];
  const material: TrustSettings = { ...trust, intermediates: [...(trust.intermediates ?? []), ...dssCerts] };
  const chain = new Map<string, X509Certificate>();
  const noDigest = () => Buffer.alloc(32);
  for (const sig of facts.signatures) {
    if (!sig.signed.ok) continue;
    const contents = sig.signed.contents;
    const cms = cmsOfContents(contents);
    const check = checkCms(cms, noDigest);
    const signers: { target: X509Certificate; carried: readonly X509Certificate[] }[] = [];
    if (check.signer) signers.push({ target: check.signer, carried: check.certificates });
    const st = check.signatureTimestamp;
    if (st) {
      const token = checkCms(st.token, noDigest);
      if (token.signer) signers.push({ target: token.signer, carried: token.certificates });
    }
    for (const s of signers)
      for (const c of pathOf(s.target, s.carried, material, crlPool, now)) chain.set(c.fingerprint256, c);
  }
  // The CRLs issued by a CA on one of the paths.
  const caNames = new Set([...chain.values()].map((c) => nameKey(pkijs.Certificate.fromBER(der(c)).subject)));
  const crls = crlPool.filter((crl) => {
    try {
      return caNames.has(nameKey(pkijs.CertificateRevocationList.fromBER(new Uint8Array(crl)).issuer));
    } catch {
      return false;
    }
  });
  const certs = [...chain.values()].map(der);
  const out = Buffer.from(await sandbox.dss(bytes, { certs, crls: crls.map((c) => new Uint8Array(c)) }));
  // The sandbox may only have appended: every signed byte stays where it was.
  if (out.length <= bytes.length || !out.subarray(0, bytes.length).equals(bytes))
    throw new CoreError(
      ErrorCode.PdfParserFailed,
      'the validation data update does not keep the original bytes',
    );
  return { bytes: out, certs: certs.length, crls: crls.length };
}
