import { z } from 'zod';
import {
  base64UpTo,
  DeviceId,
  Ed25519PublicKey,
  Ed25519Signature,
  EpochMs,
  OfficerAddress,
  OfficerDepartment,
  OfficerName,
  PrekeyId,
  Sha256Hex,
  X25519PublicKey,
} from './wire-fields';
import { EnrolmentRequestBlob } from './enrolment';
import { DirectoryChainStep, DirectoryHead, MAX_DIRECTORY_CHAIN_STEPS } from './directory-chain';

/**
 * An X25519 prekey signed by its device's Ed25519 key over {@link prekeyMessage}, as it
 * travels (base64 fields, the device implied by the route or the directory entry). The core's
 * decoded form, with the device id and bytes, is `DevicePrekey` (electron/core/sync/device-keys.ts).
 */
export const SignedPrekey = z
  .object({
    prekeyId: PrekeyId,
    publicKey: X25519PublicKey,
    createdAt: EpochMs,
    signature: Ed25519Signature,
  })
  .strict();
export type SignedPrekey = z.infer<typeof SignedPrekey>;

/** Prekeys in one `PUT /v1/prekeys`. */
export const MAX_PREKEYS_PER_REQUEST = 8;
/** How far in the future a prekey's `createdAt` may be (clock skew): 5 minutes. */
export const MAX_PREKEY_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * `PUT /v1/prekeys` (authenticated): publish signed prekeys. The device's current prekey (the
 * one in the directory) is its newest by `createdAt`. Publishing the same prekey again is
 * idempotent; another key, time or signature under a published id is `E_PREKEY_CONFLICT`.
 */
export const PublishPrekeysRequest = z
  .object({ prekeys: z.array(SignedPrekey).min(1).max(MAX_PREKEYS_PER_REQUEST) })
  .strict();
export type PublishPrekeysRequest = z.infer<typeof PublishPrekeysRequest>;
export const PublishPrekeysResponse = z.object({ current: PrekeyId }).strict();
export type PublishPrekeysResponse = z.infer<typeof PublishPrekeysResponse>;

export const DirectoryDevice = z
  .object({
    deviceId: DeviceId,
    signPublicKey: Ed25519PublicKey,
    boxPublicKey: X25519PublicKey,
    /** Revoked devices stay listed, so that others stop encrypting to them and can warn. */
    status: z.enum(['approved', 'revoked']),
    /** SHA-256 (lowercase hex) of the token certificate (DER) that certified the device. */
    certificateFingerprint: Sha256Hex,
    /**
     * The device's enrolment request as the relay recorded it: base64 of the UTF-8 JSON of an
     * `EnrolmentCertification`, the officer's token signature over exactly these keys with the
     * token's certificate chain. Clients check it against their own pinned anchors; the
     * officer's address and name are read from its certificate, never from this entry.
     */
    certification: EnrolmentRequestBlob,
    /** The device's current signed prekey; absent until it publishes one. */
    prekey: SignedPrekey.optional(),
  })
  .strict();
export type DirectoryDevice = z.infer<typeof DirectoryDevice>;

export const DirectoryOfficer = z
  .object({
    address: OfficerAddress,
    name: OfficerName,
    department: OfficerDepartment,
    devices: z.array(DirectoryDevice).min(1),
  })
  .strict();
export type DirectoryOfficer = z.infer<typeof DirectoryOfficer>;

/** Format version 2: every device carries its enrolment certification (docs/protocols/directory-v2.md). */
export const DIRECTORY_VERSION = 2 as const;

/**
 * The HQ-signed device directory. `serial` grows strictly with every change of a device or
 * prekey at the relay: a client keeps the highest serial it has accepted and refuses an older
 * directory (a relay replaying an old one could hide a revocation). Officers are sorted by
 * address, devices by id. Pending devices are not listed.
 */
export const Directory = z
  .object({
    version: z.literal(DIRECTORY_VERSION),
    serial: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    issuedAt: EpochMs,
    /**
     * The version published before this one (its serial and chain link, directory-chain.ts),
     * null for the first: a client accepts only a version whose chain reaches what it holds.
     */
    previous: DirectoryHead.nullable(),
    officers: z.array(DirectoryOfficer),
  })
  .strict();
export type Directory = z.infer<typeof Directory>;

/** The largest directory the relay serves and a client accepts: 16 MiB of JSON. */
export const MAX_DIRECTORY_BYTES = 16 * 1024 * 1024;

/**
 * `GET /v1/directory` (authenticated): `directory` is base64 of the directory's UTF-8 JSON
 * bytes, `signature` HQ's Ed25519 signature over {@link directoryMessage} of those bytes (the
 * key in `GET /health`, which clients pin at enrolment).
 */
export const DirectoryResponse = z
  .object({
    directory: base64UpTo(MAX_DIRECTORY_BYTES),
    signature: Ed25519Signature,
    /**
     * With `?since=SERIAL`: the versions published after SERIAL and before this one, ascending,
     * so the client can walk its chain from its head to this version (directory-chain.ts).
     */
    steps: z.array(DirectoryChainStep).max(MAX_DIRECTORY_CHAIN_STEPS).optional(),
  })
  .strict();
export type DirectoryResponse = z.infer<typeof DirectoryResponse>;
