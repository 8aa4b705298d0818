import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  authSessionMessage,
  ChallengeRequest,
  RelayErrorCode,
  SessionRequest,
  type ChallengeResponse,
  type SessionResponse,
} from '../../shared/sync/relay-protocol';
import type { DeviceRecord } from '../storage/relay-store';
import { sourceAddress } from './abuse-guards';
import { readJson, sendJson } from './http-io';
import type { RelayContext } from './relay-context';
import { RelayError } from './relay-error';

const BEARER = /^Bearer ([A-Za-z0-9_-]{43})$/;

/** A device that may authenticate: enrolled and approved. */
export async function approvedDevice(ctx: RelayContext, deviceId: string): Promise<DeviceRecord> {
  const device = await ctx.store.getDevice(deviceId);
  if (!device) throw new RelayError(404, RelayErrorCode.DeviceUnknown, 'this device is not enrolled');
  if (device.status === 'pending') {
    throw new RelayError(403, RelayErrorCode.DevicePending, 'this device awaits approval by HQ');
  }
  if (device.status !== 'approved')
    throw new RelayError(403, RelayErrorCode.DeviceRevoked, 'this device was revoked');
  return device;
}

/** `POST /v1/auth/challenge`: a one-time nonce for an approved device to sign. */
export async function challenge(ctx: RelayContext, req: IncomingMessage, res: ServerResponse) {
  const body = await readJson(req, ChallengeRequest, ctx.limits.maxJsonBytes);
  ctx.guards.challenge(req, body.deviceId);
  await approvedDevice(ctx, body.deviceId);
  const issued = ctx.auth.issueChallenge(body.deviceId, sourceAddress(req));
  if (!issued) throw new RelayError(503, RelayErrorCode.Busy, 'too many outstanding challenges; retry later');
  sendJson(res, 200, issued satisfies ChallengeResponse);
}

/** `POST /v1/auth/session`: the signed challenge buys a short-lived bearer token. */
export async function session(ctx: RelayContext, req: IncomingMessage, res: ServerResponse) {
  const body = await readJson(req, SessionRequest, ctx.limits.maxJsonBytes);
  if (!ctx.auth.takeChallenge(body.nonce, body.deviceId)) {
    throw new RelayError(401, RelayErrorCode.ChallengeInvalid, 'unknown, used or expired challenge');
  }
  const device = await approvedDevice(ctx, body.deviceId);
  const message = authSessionMessage(
    body.deviceId,
    ctx.identity.fingerprint,
    Buffer.from(body.nonce, 'base64'),
  );
  const signPk = Buffer.from(device.signPublicKey, 'base64');
  if (!ctx.sodium.crypto_sign_verify_detached(Buffer.from(body.signature, 'base64'), message, signPk)) {
    throw new RelayError(401, RelayErrorCode.BadSignature, 'the challenge signature does not verify');
  }
  const opened = ctx.auth.openSession(body.deviceId);
  if (!opened) throw new RelayError(503, RelayErrorCode.Busy, 'too many sessions; retry later');
  sendJson(res, 200, opened satisfies SessionResponse);
}

/** The approved device behind the request's bearer token; refuses everything else. */
export async function authenticate(ctx: RelayContext, req: IncomingMessage): Promise<DeviceRecord> {
  const m = BEARER.exec(req.headers.authorization ?? '');
  const current = m?.[1] ? ctx.auth.session(m[1]) : undefined;
  if (!current)
    throw new RelayError(401, RelayErrorCode.Unauthenticated, 'a valid session token is required');
  // Re-read on every request: a revocation applies at once, not when the session ends.
  return approvedDevice(ctx, current.deviceId);
}
