import { X509Certificate } from 'node:crypto';
import type { Directory, DirectoryDevice, DirectoryOfficer } from '../../../../shared/sync/relay-protocol';
import { EnrolmentCertification } from '../../../../shared/sync/relay-protocol';
import type { SafetySide } from '../safety-number';
import type { VouchingCertificate } from './refusal-log';
import { fromBase64 } from './store-context';

/**
 * What the contact features read of a device in the certified view: the token certificate that
 * vouches for it, and an officer's side of a safety number. Only devices of the certified view
 * come here (identity-trust.ts verified their certification already), so a parse failure is a
 * bug, and it fails closed (throws).
 */

/** The token certificate (DER) of a certified device: the first of its certification's chain. */
export function tokenCertificateDer(device: DirectoryDevice): Uint8Array {
  const text = Buffer.from(device.certification, 'base64').toString('utf8');
  const c = EnrolmentCertification.parse(JSON.parse(text));
  return fromBase64(c.certificates[0] as string);
}

/** Subject, issuer and SHA-256 fingerprint of the certificate that vouches for `device`. */
export function vouchingCertificate(device: DirectoryDevice): VouchingCertificate {
  const cert = new X509Certificate(Buffer.from(tokenCertificateDer(device)));
  return {
    subject: cert.subject.split('\n').join(', '),
    issuer: cert.issuer.split('\n').join(', '),
    fingerprint: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
  };
}

export function findOfficer(dir: Directory, address: string): DirectoryOfficer | undefined {
  const a = address.toLowerCase();
  return dir.officers.find((o) => o.address.toLowerCase() === a);
}

/** The officer whose certified devices include `deviceId` (this workstation's own officer). */
export function officerOfDevice(dir: Directory, deviceId: string): DirectoryOfficer | undefined {
  return dir.officers.find((o) => o.devices.some((d) => d.deviceId === deviceId));
}

/** An officer's side of a safety number: their approved certified devices. */
export function safetySide(officer: DirectoryOfficer): SafetySide {
  return {
    address: officer.address,
    devices: officer.devices
      .filter((d) => d.status === 'approved')
      .map((d) => ({
        deviceId: d.deviceId,
        signPublicKey: fromBase64(d.signPublicKey),
        boxPublicKey: fromBase64(d.boxPublicKey),
        certificate: tokenCertificateDer(d),
      })),
  };
}
