import { X509Certificate } from 'node:crypto';
import { EnrolmentCertification } from '../../shared/sync/relay-protocol';
import type { DeviceRecord } from '../storage/relay-store';
import {
  fingerprintOf,
  loadCrls,
  loadTrustedCas,
  parsePemCertificates,
  verifyEnrolmentCertification,
  type TrustedCa,
} from '../server/enrolment-certification';
import { readFileSync } from 'node:fs';
import { RelayError } from '../server/relay-error';

/**
 * What an administrator needs to judge a device before approving it (`embassy hq devices`,
 * `embassy hq approve`): the token certificate's subject and issuer, whether its chain reaches
 * a CA the relay trusts (checked again now, with the relay's own enrolment check), and whether
 * its address is already an officer's with other certificates. A self-signed certificate
 * naming a real officer shows as `untrusted` and as matching that officer with another
 * certificate: approving it would let its holder read that officer's mail.
 */

/** `trusted`: the chain reaches a trusted CA; `untrusted`: it verifies but reaches none; `invalid`: it fails. */
export type ChainStatus = 'trusted' | 'untrusted' | 'invalid';

export interface CertificateReview {
  /** The token certificate's subject and issuer, one line each (RFC 4514-like, as Node gives them). */
  readonly subject: string | null;
  readonly issuer: string | null;
  readonly chain: ChainStatus;
  /** Why the chain is `invalid`, or the trusted CA's fingerprint when `trusted`. */
  readonly chainDetail: string | null;
  /** Other approved devices of the same address: the officer this device would join. */
  readonly officer: {
    readonly approvedDevices: number;
    /** Whether one of them was certified by this very token certificate. */
    readonly sameCertificate: boolean;
  } | null;
}

/** Where the relay's trust lives: its data folder's `trusted-ca/` and `crl/`, and `--trust-ca` files. */
export interface TrustSource {
  readonly dataDir: string;
  readonly trustCaFiles?: readonly string[];
}

/** The relay's trusted CAs as `hq serve` loads them; only the files when there is no data folder. */
function trustedCas(trust: TrustSource): TrustedCa[] {
  if (trust.dataDir) return loadTrustedCas(trust.dataDir, trust.trustCaFiles);
  return (trust.trustCaFiles ?? []).flatMap((f) =>
    parsePemCertificates(readFileSync(f, 'utf8'), f)
      .filter((c) => c.ca)
      .map((certificate) => ({ certificate, fingerprint: fingerprintOf(certificate) })),
  );
}

const oneLine = (dn: string) => dn.split('\n').filter(Boolean).join(', ');

function leafOf(d: DeviceRecord): X509Certificate | null {
  try {
    const json: unknown = JSON.parse(Buffer.from(d.enrolmentRequest, 'base64').toString('utf8'));
    const first = EnrolmentCertification.parse(json).certificates[0];
    return first ? new X509Certificate(Buffer.from(first, 'base64')) : null;
  } catch {
    return null;
  }
}

/** Reviews `d` against the relay's trust and the other devices (`all`). */
export function reviewDevice(
  d: DeviceRecord,
  all: readonly DeviceRecord[],
  trust: TrustSource,
  now: number,
): CertificateReview {
  const leaf = leafOf(d);
  let chain: ChainStatus = 'invalid';
  let chainDetail: string | null = null;
  try {
    const certified = verifyEnrolmentCertification(
      d.enrolmentRequest,
      Buffer.from(d.signPublicKey, 'base64'),
      Buffer.from(d.boxPublicKey, 'base64'),
      trustedCas(trust),
      now,
      trust.dataDir ? loadCrls(trust.dataDir) : [],
    );
    chain = certified.trustedBy ? 'trusted' : 'untrusted';
    chainDetail = certified.trustedBy ?? null;
  } catch (e) {
    if (!(e instanceof RelayError)) throw e;
    chainDetail = e.message;
  }
  const address = d.officer?.address;
  const peers = address
    ? all.filter((o) => o.id !== d.id && o.status === 'approved' && o.officer?.address === address)
    : [];
  const fingerprint = leaf ? fingerprintOf(leaf) : null;
  return {
    subject: leaf ? oneLine(leaf.subject) : null,
    issuer: leaf ? oneLine(leaf.issuer) : null,
    chain,
    chainDetail,
    officer:
      peers.length === 0
        ? null
        : {
            approvedDevices: peers.length,
            sameCertificate: peers.some((o) => o.officer?.certificateFingerprint === fingerprint),
          },
  };
}
