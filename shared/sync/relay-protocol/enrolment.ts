import { z } from 'zod';
import {
  base64UpTo,
  DeviceId,
  Ed25519PublicKey,
  Ed25519Signature,
  OfficerDepartment,
  OfficerName,
  X25519PublicKey,
} from './wire-fields';

/** The largest enrolment request (the {@link EnrolmentCertification} JSON): 48 KiB. */
export const MAX_ENROLMENT_REQUEST_BYTES = 48 * 1024;
/** Standard padded base64 of 1..MAX_ENROLMENT_REQUEST_BYTES bytes. */
export const EnrolmentRequestBlob = base64UpTo(MAX_ENROLMENT_REQUEST_BYTES);

/** Certificates in an enrolment: the officer's token certificate, intermediates, maybe the root. */
export const MAX_ENROLMENT_CERTIFICATES = 5;
/** One DER certificate at most (base64 in the JSON). */
export const MAX_CERTIFICATE_BYTES = 16 * 1024;

/** How the token signed {@link tokenEnrolmentMessage}. ECDSA signatures are DER-encoded. */
export const TokenSignatureAlgorithm = z.enum(['rsa-pkcs1-sha256', 'rsa-pss-sha256', 'ecdsa-p256-sha256']);
export type TokenSignatureAlgorithm = z.infer<typeof TokenSignatureAlgorithm>;

/**
 * The enrolment request (`EnrollRequest.request`) is standard base64 of the UTF-8 JSON of this
 * object: the officer's token certifies the device keys. `tokenSignature` is the token key's
 * signature over {@link tokenEnrolmentMessage}(signPublicKey, boxPublicKey, officer.name,
 * officer.department): RSASSA-PKCS1-v1_5 with SHA-256, RSASSA-PSS with SHA-256, MGF1-SHA-256
 * and a 32-byte salt, or ECDSA P-256 with SHA-256 as a DER `Ecdsa-Sig-Value`.
 * `certificates[0]` is the token's certificate (DER, base64), then its issuers in order.
 */
export const EnrolmentCertification = z
  .object({
    version: z.literal(1),
    officer: z.object({ name: OfficerName, department: OfficerDepartment }).strict(),
    certificates: z.array(base64UpTo(MAX_CERTIFICATE_BYTES)).min(1).max(MAX_ENROLMENT_CERTIFICATES),
    algorithm: TokenSignatureAlgorithm,
    /** At most 1 KiB: an RSA-8192 signature is 1,024 bytes. */
    tokenSignature: base64UpTo(1024),
  })
  .strict();
export type EnrolmentCertification = z.infer<typeof EnrolmentCertification>;

/**
 * `POST /v1/enroll`: a device asks to join. `proof` is the device's Ed25519 signature over
 * {@link enrolmentMessage}, proving it holds the signing key it enrols. `request` is base64 of
 * the UTF-8 JSON of an {@link EnrolmentCertification}: the relay checks the certificate chain
 * and the token signature before it records the device (pending, or approved at once when the
 * chain ends at a CA the relay trusts).
 */
export const EnrollRequest = z
  .object({
    signPublicKey: Ed25519PublicKey,
    boxPublicKey: X25519PublicKey,
    request: EnrolmentRequestBlob,
    proof: Ed25519Signature,
  })
  .strict();
export type EnrollRequest = z.infer<typeof EnrollRequest>;

export const DeviceStatus = z.enum(['pending', 'approved', 'revoked']);
export type DeviceStatus = z.infer<typeof DeviceStatus>;

export const EnrollResponse = z.object({ deviceId: DeviceId, status: DeviceStatus }).strict();
export type EnrollResponse = z.infer<typeof EnrollResponse>;
