import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  MAX_PREKEY_CLOCK_SKEW_MS,
  prekeyMessage,
  PublishPrekeysRequest,
  RelayErrorCode,
  type PublishPrekeysResponse,
} from '../../shared/sync/relay-protocol';
import { authenticate } from './device-auth';
import { readJson, sendJson } from './http-io';
import type { RelayContext } from './relay-context';
import { RelayError } from './relay-error';

/**
 * `PUT /v1/prekeys`: a device publishes prekeys signed with its own key. All or none: one bad
 * signature, a future date, a repeated id or an id reused with other content refuses the lot.
 */
export async function publishPrekeys(ctx: RelayContext, req: IncomingMessage, res: ServerResponse) {
  const device = await authenticate(ctx, req);
  const body = await readJson(req, PublishPrekeysRequest, ctx.limits.maxJsonBytes);
  const ids = new Set(body.prekeys.map((p) => p.prekeyId));
  if (ids.size !== body.prekeys.length) {
    throw new RelayError(400, RelayErrorCode.InvalidInput, 'a prekey id appears twice');
  }
  const latest = Date.now() + MAX_PREKEY_CLOCK_SKEW_MS;
  const signPk = Buffer.from(device.signPublicKey, 'base64');
  for (const p of body.prekeys) {
    if (p.createdAt > latest) {
      throw new RelayError(400, RelayErrorCode.InvalidInput, 'a prekey is dated in the future');
    }
    const message = prekeyMessage(device.id, p.prekeyId, Buffer.from(p.publicKey, 'base64'), p.createdAt);
    if (!ctx.sodium.crypto_sign_verify_detached(Buffer.from(p.signature, 'base64'), message, signPk)) {
      throw new RelayError(401, RelayErrorCode.BadSignature, 'a prekey signature does not verify');
    }
  }
  const result = await ctx.store.putPrekeys(device.id, body.prekeys, ctx.limits.maxPrekeysPerDevice);
  if (result.kind === 'conflict') {
    throw new RelayError(
      409,
      RelayErrorCode.PrekeyConflict,
      'a prekey id was already published with other content',
    );
  }
  sendJson(res, 200, { current: result.current.prekeyId } satisfies PublishPrekeysResponse);
}
