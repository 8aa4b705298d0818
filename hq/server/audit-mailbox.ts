import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  AuditUploadRequest,
  RelayErrorCode,
  type AuditUploadResponse,
} from '../../shared/sync/relay-protocol';
import { authenticate } from './device-auth';
import { readJson, sendJson } from './http-io';
import type { RelayContext } from './relay-context';
import { RelayError } from './relay-error';

/**
 * `POST /v1/audit`: a device's sealed audit batch, kept under the device the session proves.
 * The relay cannot open it (sealed to HQ's audit key) and checks nothing inside: HQ verifies
 * the chain and the device's checkpoint signatures offline (`embassy hq audit verify`), so a
 * relay that drops, alters or invents batches is found out there.
 */
export async function storeAuditBatch(ctx: RelayContext, req: IncomingMessage, res: ServerResponse) {
  const device = await authenticate(ctx, req);
  const body = await readJson(req, AuditUploadRequest, ctx.limits.maxJsonBytes);
  const sealed = new Uint8Array(Buffer.from(body.sealed, 'base64'));
  // A sealed box is at least its ephemeral key and tag (48 bytes).
  if (sealed.length < 48) throw new RelayError(400, RelayErrorCode.InvalidInput, 'the batch is too short');
  const result = await ctx.store.putAuditBatch(
    { device: device.id, first: body.first, count: body.count, sealed, receivedAt: Date.now() },
    ctx.limits.maxAuditBatchesPerDevice,
  );
  if (result === 'quota') {
    throw new RelayError(413, RelayErrorCode.QuotaExceeded, 'the device holds too many audit batches');
  }
  sendJson(res, 200, { stored: true } satisfies AuditUploadResponse);
}
