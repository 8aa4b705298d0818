import { createHash } from 'node:crypto';
import { displayName } from './certificates';
import { checkCms, type CmsCheck } from './cms';
import { validatePath } from './path';
import { reason, type Reason } from './verdict';
import type { TrustSettings } from './verify';

/**
 * A signature timestamp (B-T) as proof of time: the token must be an intact RFC 3161 token
 * over this signature's value, signed by a TSA whose certificate (timeStamping EKU) has a
 * valid path to the anchors at its genTime and now. Then genTime is the proven time of the
 * signature (its `poe`); otherwise the token proves nothing and the signature is judged as B-B.
 */
export function provenTime(
  check: CmsCheck,
  trust: TrustSettings,
  now: Date,
): { readonly poe?: Date; readonly reasons: Reason[] } {
  const st = check.signatureTimestamp;
  if (!st) return { reasons: [] };
  const token = checkCms(st.token, (h) => createHash(h).update(st.signatureValue).digest());
  const broken = token.reasons.find((r) => r.severity !== 'info');
  const genTime = token.signingTime;
  if (!token.isTimestamp || !token.signer || !genTime || broken) {
    const why = broken ?? reason('FORMAT_FAILURE');
    return { reasons: [reason('SIGNATURE_TIMESTAMP_NOT_TRUSTED', { what: { en: why.en, vi: why.vi } })] };
  }
  const path = validatePath({
    target: token.signer,
    untrusted: [...token.certificates, ...(trust.intermediates ?? [])],
    anchors: trust.anchors,
    crls: trust.crls ?? [],
    at: genTime,
    poe: now,
    now,
    purpose: 'timestamping',
  });
  const bad = path.reasons.find((r) => r.severity !== 'info');
  if (bad)
    return { reasons: [reason('SIGNATURE_TIMESTAMP_NOT_TRUSTED', { what: { en: bad.en, vi: bad.vi } })] };
  const tsa = displayName(token.signer.subject);
  const when = genTime.toISOString();
  return {
    poe: genTime,
    reasons: [reason('SIGNATURE_TIMESTAMP', { what: { en: `${when}, ${tsa}`, vi: `${when}, ${tsa}` } })],
  };
}
