import { z } from 'zod';
import { DeviceId, Ed25519PublicKey, Ed25519Signature, Nonce } from './wire-fields';

/** Every 4xx/5xx answer of the relay has this body (codes: `RelayErrorCode`). */
export const RelayErrorBody = z
  .object({
    error: z.object({ code: z.string(), message: z.string() }).strict(),
  })
  .strict();
export type RelayErrorBody = z.infer<typeof RelayErrorBody>;

/** `GET /health` (no authentication). */
export const HealthResponse = z
  .object({
    status: z.literal('ok'),
    protocol: z.literal(1),
    /** HQ's Ed25519 public key (base64): it will sign the device directory. */
    hqSignPublicKey: Ed25519PublicKey,
  })
  .strict();
export type HealthResponse = z.infer<typeof HealthResponse>;

/** `POST /v1/auth/challenge`: a one-time nonce for an approved device. */
export const ChallengeRequest = z.object({ deviceId: DeviceId }).strict();
export type ChallengeRequest = z.infer<typeof ChallengeRequest>;
export const ChallengeResponse = z
  .object({ nonce: Nonce, expiresAt: z.number().int().nonnegative() })
  .strict();
export type ChallengeResponse = z.infer<typeof ChallengeResponse>;

/** `POST /v1/auth/session`: the signature over {@link authSessionMessage} buys a bearer token. */
export const SessionRequest = z
  .object({ deviceId: DeviceId, nonce: Nonce, signature: Ed25519Signature })
  .strict();
export type SessionRequest = z.infer<typeof SessionRequest>;
export const SessionResponse = z
  .object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/), expiresAt: z.number().int().nonnegative() })
  .strict();
export type SessionResponse = z.infer<typeof SessionResponse>;

/**
 * `POST /v1/device/wiped` (session): the device tells HQ its vault is being wiped. The
 * signature is the device key's over {@link wipedMessage} (this device, this HQ, `wipedAt`).
 * HQ revokes the device at once (the directory drops it from every officer's recipients).
 */
export const DeviceWipedRequest = z
  .object({
    wipedAt: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    signature: Ed25519Signature,
  })
  .strict();
export type DeviceWipedRequest = z.infer<typeof DeviceWipedRequest>;
export const DeviceWipedResponse = z.object({ status: z.literal('revoked') }).strict();
export type DeviceWipedResponse = z.infer<typeof DeviceWipedResponse>;
