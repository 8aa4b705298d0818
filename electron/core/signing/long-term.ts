import { createHash } from 'node:crypto';
import { parseCrl } from '../../../shared/pki/x509-fields';
import type { PdfSandbox } from '../pdf-sandbox';
import { checkCms, cmsOfContents } from './cms';
import { addValidationData } from './validation-data';
import { verifyPdf, type TrustSettings } from './verify';

/**
 * B-LT after signing: a signature made today must still validate when its CRL source is gone and
 * its certificate has expired. That needs revocation data issued *after* the signature's proven
 * time (its timestamp): a CRL from before it says nothing of a revocation between the two, and
 * the verifier (path/revocation.ts) accepts it later only while it is current. So right after
 * signing there is usually nothing adequate yet: the file waits (in the vault's stamp queue)
 * until IT's policy, a CRL file or the file's own DSS brings a CRL issued after the timestamp.
 *
 * The test of "adequate" is the verifier itself: the file with the new DSS is verified with no
 * CRL but those in the file; if the last signature is valid, the same data will hold years later.
 */

export type LongTermOutcome =
  /** The file with its DSS (B-LT). */
  | { readonly state: 'done'; readonly bytes: Uint8Array; readonly certs: number; readonly crls: number }
  /** Its certificates need no revocation data (no CRL is asked for): nothing to add. */
  | { readonly state: 'not-needed' }
  /** No signature timestamp on the last signature yet (B-B): stamp first. */
  | { readonly state: 'no-timestamp' }
  /** No CRL issued after the timestamp for every CA on the path yet: try again later. */
  | { readonly state: 'waiting' }
  /** The signature is not valid (revoked, untrusted, changed…): no validation data will help. */
  | { readonly state: 'never'; readonly why: string };

/** When the last signature of `pdf` was timestamped (its token's genTime), if it was. */
async function lastTimestampTime(pdf: Uint8Array, sandbox: PdfSandbox): Promise<Date | undefined> {
  const facts = await sandbox.signatures(Buffer.from(pdf));
  if (facts.format !== 'ok') return undefined;
  const last = facts.signatures.at(-1);
  if (!last?.signed.ok) return undefined;
  const contents = last.signed.contents;
  const cms = cmsOfContents(contents);
  const st = checkCms(cms, () => Buffer.alloc(32)).signatureTimestamp;
  if (!st) return undefined;
  const token = checkCms(st.token, (h) => createHash(h).update(st.signatureValue).digest());
  return token.isTimestamp ? token.signingTime : undefined;
}

const REVOCATION_MISSING = new Set(['NO_REVOCATION_DATA', 'CRL_STALE']);

/** Adds the validation data of `pdf`'s signatures once CRLs issued after its timestamp are at hand. */
export async function longTermOf(
  pdf: Uint8Array,
  trust: TrustSettings,
  sandbox: PdfSandbox,
  now: Date,
): Promise<LongTermOutcome> {
  const provenAt = await lastTimestampTime(pdf, sandbox);
  if (!provenAt) return { state: 'no-timestamp' };
  // Without any CRL at all, is the signature valid? Then none of its certificates asks for one.
  const bare = await verifyPdf(pdf, { ...trust, crls: [], now }, sandbox);
  const bareLast = bare.signatures.at(-1);
  if (bareLast?.verdict === 'valid') return { state: 'not-needed' };
  const codes = (bareLast?.reasons ?? []).filter((r) => r.severity !== 'info').map((r) => r.code);
  if (!codes.some((c) => REVOCATION_MISSING.has(c)))
    return { state: 'never', why: codes[0] ?? 'NO_SIGNATURE' };

  const after = (trust.crls ?? []).filter((der) => {
    const parsed = parseCrl(new Uint8Array(der));
    return parsed !== undefined && parsed.thisUpdate.getTime() > provenAt.getTime();
  });
  if (after.length === 0) return { state: 'waiting' };
  const lt = await addValidationData(pdf, { ...trust, crls: after }, sandbox, now);
  const judged = await verifyPdf(lt.bytes, { ...trust, crls: [], now }, sandbox);
  const last = judged.signatures.at(-1);
  if (last?.verdict === 'valid') return { state: 'done', bytes: lt.bytes, certs: lt.certs, crls: lt.crls };
  const still = (last?.reasons ?? []).filter((r) => r.severity !== 'info').map((r) => r.code);
  return still.some((c) => REVOCATION_MISSING.has(c))
    ? { state: 'waiting' }
    : { state: 'never', why: still[0] ?? 'NO_SIGNATURE' };
}
