import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  CHUNK_CONTENT_TYPES,
  CreateMailRequest,
  MAX_WHOLE_ITEM_BYTES,
  RelayErrorCode,
  UPLOAD_LENGTH_HEADER,
  UPLOAD_OFFSET_HEADER,
  type MailUploadStatus,
} from '../../shared/sync/relay-protocol';
import { BlobOverflowError } from '../storage/file-blob-store';
import type { DeviceRecord, MailItem } from '../storage/relay-store';
import { authenticate } from './device-auth';
import { declaredLength, readJson, sendJson } from './http-io';
import type { RelayContext } from './relay-context';
import { RelayError } from './relay-error';
import { DECIMAL, notFound } from './relay-routes';

/** A whole item's bytes, checked against what the request declares (size and digest). */
function wholeContent(body: CreateMailRequest): Buffer {
  const bytes = Buffer.from(body.content ?? '', 'base64');
  if (bytes.length !== body.size || bytes.length > MAX_WHOLE_ITEM_BYTES) {
    throw new RelayError(400, RelayErrorCode.BadRequest, 'content is not the declared size');
  }
  if (createHash('sha256').update(bytes).digest('hex') !== body.sha256) {
    throw new RelayError(422, RelayErrorCode.DigestMismatch, 'the bytes do not match the declared SHA-256');
  }
  return bytes;
}

/**
 * Sending mail: `POST /v1/mail` announces an item (size, SHA-256, recipient) within the
 * recipient's quota (a small item may come whole, in the same request: one commit, no PATCH);
 * `PATCH /v1/mail/ID` appends a chunk at the current offset; `HEAD` tells a
 * sender whose link broke where to resume. The last chunk is checked against the announced
 * digest before the item reaches the recipient's inbox and push.
 */
export class MailUploads {
  constructor(private readonly ctx: RelayContext) {}

  private status(item: MailItem): MailUploadStatus {
    return { id: item.id, offset: item.offset, size: item.size, state: item.state };
  }

  async create(req: IncomingMessage, res: ServerResponse) {
    const sender = await authenticate(this.ctx, req);
    const body = await readJson(req, CreateMailRequest, this.ctx.limits.maxJsonBytes);
    if (body.size > this.ctx.limits.maxItemBytes) {
      throw new RelayError(
        413,
        RelayErrorCode.QuotaExceeded,
        `items are at most ${this.ctx.limits.maxItemBytes} bytes`,
      );
    }
    const content = body.content === undefined ? undefined : wholeContent(body);
    const recipient = await this.ctx.store.getDevice(body.recipient);
    if (recipient?.status !== 'approved') {
      throw new RelayError(409, RelayErrorCode.RecipientUnavailable, 'the recipient device is not approved');
    }
    const item = {
      id: randomBytes(16).toString('hex'),
      recipient: body.recipient,
      sender: sender.id,
      envelopeId: body.envelopeId,
      size: body.size,
      sha256: body.sha256,
      createdAt: Date.now(),
    };
    const result =
      content === undefined
        ? await this.ctx.store.createItem(
            item,
            this.ctx.limits.maxPendingBytesPerDevice,
            this.ctx.limits.maxOpenUploadsPerDevice,
          )
        : await this.ctx.store.createWholeItem(item, content, this.ctx.limits.maxPendingBytesPerDevice);
    // Delivered whole: the recipient's push hears of it as of any completed upload.
    if (result.kind === 'created' && result.item.state === 'complete') {
      this.ctx.mailCompleted(result.item.recipient, result.item.cursor);
    }
    switch (result.kind) {
      case 'busy':
        throw new RelayError(
          429,
          RelayErrorCode.RateLimited,
          'too many unfinished uploads; finish one or let it expire',
          { 'retry-after': '60' },
        );
      case 'quota':
        throw new RelayError(413, RelayErrorCode.QuotaExceeded, "the recipient's mailbox is full");
      case 'conflict':
        throw new RelayError(
          409,
          RelayErrorCode.EnvelopeConflict,
          'this envelope id was used for other content',
        );
      case 'existing':
      case 'created':
        return sendJson(res, result.kind === 'created' ? 201 : 200, this.status(result.item), {
          location: `/v1/mail/${result.item.id}`,
          [UPLOAD_OFFSET_HEADER]: String(result.item.offset),
        });
    }
  }

  /** The item if `device` sent it (anything else looks like absence: no probing of others' ids). */
  private async sentItem(id: string, device: DeviceRecord): Promise<MailItem> {
    const item = await this.ctx.store.getItem(id);
    if (item?.sender !== device.id) throw notFound();
    return item;
  }

  async head(id: string, req: IncomingMessage, res: ServerResponse) {
    const item = await this.sentItem(id, await authenticate(this.ctx, req));
    res.writeHead(200, {
      [UPLOAD_OFFSET_HEADER]: String(item.offset),
      [UPLOAD_LENGTH_HEADER]: String(item.size),
      'cache-control': 'no-store',
    });
    res.end();
  }

  async patch(id: string, req: IncomingMessage, res: ServerResponse) {
    const item = await this.sentItem(id, await authenticate(this.ctx, req));
    const offsetHeader = { [UPLOAD_OFFSET_HEADER]: String(item.offset) };
    if (item.state !== 'uploading') {
      throw new RelayError(409, RelayErrorCode.UploadComplete, 'the item is already complete', offsetHeader);
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!(CHUNK_CONTENT_TYPES as readonly string[]).includes(type)) {
      throw new RelayError(415, RelayErrorCode.UnsupportedMediaType, `a chunk is ${CHUNK_CONTENT_TYPES[0]}`);
    }
    const claimed = req.headers[UPLOAD_OFFSET_HEADER];
    if (typeof claimed !== 'string' || !DECIMAL.test(claimed)) {
      throw new RelayError(400, RelayErrorCode.BadRequest, 'Upload-Offset must be a decimal number');
    }
    if (Number(claimed) !== item.offset) {
      throw new RelayError(
        409,
        RelayErrorCode.OffsetMismatch,
        'Upload-Offset is not the current offset',
        offsetHeader,
      );
    }
    const fits = Math.min(this.ctx.limits.maxChunkBytes, item.size - item.offset);
    const declared = declaredLength(req);
    if (declared !== undefined && declared > fits) {
      throw new RelayError(413, RelayErrorCode.PayloadTooLarge, `this chunk may hold at most ${fits} bytes`);
    }
    // The quota counts bytes actually stored: this chunk must fit what the recipient has left.
    const quotaLeft =
      this.ctx.limits.maxPendingBytesPerDevice - (await this.ctx.store.storedBytes(item.recipient));
    if (quotaLeft < (declared ?? Math.min(fits, 1))) {
      throw new RelayError(
        413,
        RelayErrorCode.QuotaExceeded,
        "the recipient's mailbox is full",
        offsetHeader,
      );
    }
    const room = Math.min(fits, quotaLeft);
    // One PATCH per item at a time (on every instance): a second one is refused, not interleaved.
    const release = await this.ctx.uploads.tryLock(item.id);
    if (release === undefined) {
      throw new RelayError(
        409,
        RelayErrorCode.UploadBusy,
        'another upload of this item is in progress',
        offsetHeader,
      );
    }
    try {
      const { written, error } = await this.ctx.store.blobs.writeAt(item.id, item.offset, req, room);
      const offset = item.offset + written;
      await this.ctx.store.setItemOffset(item.id, offset);
      if (error instanceof BlobOverflowError) {
        throw new RelayError(
          413,
          RelayErrorCode.PayloadTooLarge,
          `this chunk may hold at most ${room} bytes`,
        );
      }
      // A cut connection: the bytes that arrived are kept; nobody is left to answer.
      if (error !== undefined) return;
      if (offset < item.size) {
        return sendJson(
          res,
          200,
          { ...this.status(item), offset },
          { [UPLOAD_OFFSET_HEADER]: String(offset) },
        );
      }
      const digest = await this.ctx.store.blobs.sha256(item.id, item.size);
      if (digest !== item.sha256) {
        // Restart the item rather than keep bytes that are not what the sender announced.
        await this.ctx.store.blobs.delete(item.id);
        await this.ctx.store.setItemOffset(item.id, 0);
        throw new RelayError(
          422,
          RelayErrorCode.DigestMismatch,
          'the bytes do not match the declared SHA-256',
          {
            [UPLOAD_OFFSET_HEADER]: '0',
          },
        );
      }
      const done = await this.ctx.store.completeItem(item.id);
      this.ctx.mailCompleted(done.recipient, done.cursor);
      sendJson(res, 200, this.status(done), { [UPLOAD_OFFSET_HEADER]: String(done.offset) });
    } finally {
      await release();
    }
  }
}
