import { createHash, type X509Certificate } from 'node:crypto';
import { displayName } from './certificates';
import { defaultAnchorsDir, loadCertificatesFromDir, loadTrust, type TrustSources } from './trust-store';
import type { TrustSettings } from './verify';

/** Where an anchor in use came from. */
export type AnchorSource = 'shipped' | 'configured' | 'policy';

export interface AnchorEntry {
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: string;
  readonly notAfter: string;
  /** SHA-256 of the certificate (hex, lowercase): what IT compares. */
  readonly sha256: string;
  readonly source: AnchorSource;
}

/**
 * The trust anchors signatures are checked against right now, each with where it came from:
 * the pinned folder shipped with the app (`resources/trust-anchors`), the ones given at start
 * (`--trust`), and IT's signed policy — the same list, in the same order, the verifier uses.
 */
export async function trustAnchorsInUse(
  sources: TrustSources,
  withPolicy: (base: TrustSettings) => Promise<TrustSettings>,
): Promise<AnchorEntry[]> {
  const dir = sources.anchorsDir ?? defaultAnchorsDir();
  const shipped = dir ? (await loadCertificatesFromDir(dir)).length : 0;
  const base = await loadTrust(sources);
  const all = await withPolicy(base);
  return all.anchors.map((c: X509Certificate, i) => ({
    subject: displayName(c.subject),
    issuer: displayName(c.issuer),
    notBefore: new Date(c.validFrom).toISOString(),
    notAfter: new Date(c.validTo).toISOString(),
    sha256: createHash('sha256').update(c.raw).digest('hex'),
    source: i < shipped ? 'shipped' : i < base.anchors.length ? 'configured' : 'policy',
  }));
}
