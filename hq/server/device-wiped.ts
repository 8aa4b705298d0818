import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  DeviceWipedRequest,
  RelayErrorCode,
  wipedMessage,
  type DeviceWipedResponse,
} from '../../shared/sync/relay-protocol';
import { authenticate } from './device-auth';
import { readJson, sendJson } from './http-io';
import type { RelayContext } from './relay-context';
import { RelayError } from './relay-error';

/** How far a wipe notice's time may be from the relay's clock (a notice is sent as it is signed). */
export const MAX_WIPED_SKEW_MS = 10 * 60 * 1000;

/**
 * `POST /v1/device/wiped`: a device tells HQ, just before it wipes, that its vault is gone. Two
 * proofs that it is that device: the session (its answer to a challenge) and its key's signature
 * over the notice, bound to this HQ and a time near now. HQ then revokes it, which bumps the
 * directory: other officers stop encrypting to it at their next round. Revocation is final.
 */
export async function deviceWiped(ctx: RelayContext, req: IncomingMessage, res: ServerResponse) {
  const device = await authenticate(ctx, req);
  const body = await readJson(req, DeviceWipedRequest, ctx.limits.maxJsonBytes);
  if (Math.abs(body.wipedAt - Date.now()) > MAX_WIPED_SKEW_MS) {
    throw new RelayError(400, RelayErrorCode.InvalidInput, 'the notice is not dated now');
  }
  const message = wipedMessage(device.id, ctx.identity.fingerprint, body.wipedAt);
  const signPk = Buffer.from(device.signPublicKey, 'base64');
  if (!ctx.sodium.crypto_sign_verify_detached(Buffer.from(body.signature, 'base64'), message, signPk)) {
    throw new RelayError(401, RelayErrorCode.BadSignature, 'the wipe notice signature does not verify');
  }
  await ctx.store.setDeviceStatus(device.id, 'revoked', Date.now());
  ctx.log(`device ${device.id} reported its vault wiped: revoked`);
  sendJson(res, 200, { status: 'revoked' } satisfies DeviceWipedResponse);
}
