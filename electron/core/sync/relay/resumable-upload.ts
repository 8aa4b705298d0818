import { createHash } from 'node:crypto';
import {
  CHUNK_CONTENT_TYPES,
  MAX_WHOLE_ITEM_BYTES,
  MailUploadStatus,
  UPLOAD_OFFSET_HEADER,
} from '../../../../shared/sync/relay-protocol';
import { RelayErrorCode, RelayLinkErrorCode } from '../../../../shared/sync/sync-error-codes';
import type { DeviceSession } from './device-session';
import { exchangeJson, jsonBody, parseJson, relayRefusal, type RelayHttp } from './http-exchange';
import { RelayClientError } from './relay-error';
import { retrying, type RetryPolicy } from './retrying';
import type { UploadPacer } from './upload-pacer';

/** What an upload runs on. */
export interface UploadContext {
  readonly http: RelayHttp;
  readonly session: DeviceSession;
  readonly pacer: UploadPacer;
  readonly retry: RetryPolicy;
}

/** An item to upload: the relay keys it by (sender, envelope id), so sending it again is safe. */
export interface UploadItem {
  recipient: string;
  envelopeId: string;
  bytes: Uint8Array;
  sha256?: string;
}

/**
 * Uploads one item, resumably (tus-like): `POST /v1/mail` announces it and answers where the
 * relay stands (an item of at most {@link MAX_WHOLE_ITEM_BYTES} goes whole with it), then
 * PATCHes send the rest from that offset, each as large as the link carries ({@link UploadPacer}). After a cut it announces again and goes on from the offset answered;
 * it gives up after `retry.maxRetries` failures in a row without progress.
 */
export async function resumableUpload(
  ctx: UploadContext,
  item: UploadItem,
  onProgress?: (sent: number, total: number) => void,
  signal?: AbortSignal,
): Promise<MailUploadStatus> {
  const { http, session, pacer } = ctx;
  const data = Buffer.from(item.bytes.buffer, item.bytes.byteOffset, item.bytes.byteLength);
  const size = data.length;
  // A digest the caller already has (the vault's, made when sealing) spares the event loop
  // a pass over a large item; a wrong one only makes the relay refuse the upload.
  const sha256 = item.sha256 ?? createHash('sha256').update(data).digest('hex');
  // A small item travels whole in its announcement: one request, done (relay-api-v1).
  const create = {
    recipient: item.recipient,
    envelopeId: item.envelopeId,
    size,
    sha256,
    ...(size <= MAX_WHOLE_ITEM_BYTES ? { content: data.toString('base64') } : {}),
  };
  let offset = -1;
  const announce = () =>
    session.authed((token) =>
      exchangeJson(
        http,
        { ...jsonBody('POST', '/v1/mail', create, token), ...(signal ? { signal } : {}) },
        MailUploadStatus,
        [200, 201],
      ),
    );
  /** The item's status once the relay holds all bytes (a lost last answer, or an earlier call). */
  const finished = async () => {
    const status = await announce();
    if (status.state === 'uploading') {
      throw new RelayClientError(RelayLinkErrorCode.Network, 'the upload is not complete yet', {
        retryable: true,
      });
    }
    onProgress?.(size, size);
    return status;
  };
  return retrying(
    ctx.retry,
    signal,
    () => offset,
    async () => {
      // Idempotent per envelope id: after a lost answer this returns the same item.
      const status = await announce();
      if (status.size !== size)
        throw new RelayClientError(RelayLinkErrorCode.Protocol, 'the relay answered for another size');
      if (status.state !== 'uploading') {
        onProgress?.(size, size);
        return status;
      }
      const id = status.id;
      // The announcement's answer says where the relay stands (after a cut it kept what
      // arrived): send the rest. One round trip less per item than asking with HEAD, which
      // on a 600 ms link is most of a short message's upload time.
      if (!Number.isSafeInteger(status.offset) || status.offset < 0 || status.offset > size) {
        throw new RelayClientError(
          RelayLinkErrorCode.Protocol,
          'the relay reported an impossible upload offset',
        );
      }
      offset = status.offset;
      onProgress?.(offset, size);
      // At least one PATCH: when every byte is there but the PATCH that brought the last ones
      // was cut before the relay completed the item, an empty one at the end completes it
      // (otherwise the item stays "uploading" for good and never reaches the recipient).
      do {
        const chunk = data.subarray(offset, Math.min(size, offset + pacer.patchBytes()));
        const started = Date.now();
        const reply = await session.authedRaw((token) =>
          http.exchange({
            method: 'PATCH',
            path: `/v1/mail/${id}`,
            token,
            headers: {
              'content-type': CHUNK_CONTENT_TYPES[0],
              [UPLOAD_OFFSET_HEADER]: String(offset),
            },
            body: chunk,
            ...(signal ? { signal } : {}),
          }),
        );
        if (reply.status !== 200) {
          const error = relayRefusal(reply);
          if (error.code === RelayErrorCode.UploadComplete) return finished();
          if (error.code === RelayErrorCode.OffsetMismatch) {
            // Another attempt moved the offset: announce again and go on from there.
            throw new RelayClientError(error.code, error.message, {
              status: reply.status,
              retryable: true,
            });
          }
          throw error;
        }
        const next = parseJson(reply, MailUploadStatus);
        if (
          next.id !== id ||
          next.offset > size ||
          next.offset < offset ||
          (next.offset === offset && chunk.length > 0)
        ) {
          throw new RelayClientError(RelayLinkErrorCode.Protocol, 'the relay reported an impossible offset');
        }
        pacer.noteUpload(next.offset - offset, Date.now() - started);
        offset = next.offset;
        onProgress?.(offset, size);
        if (next.state !== 'uploading') return next;
      } while (offset < size);
      // All bytes are at the relay but no completion was seen.
      return finished();
    },
  );
}
