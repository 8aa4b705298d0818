import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import {
  AckRequest,
  RelayErrorCode,
  type AckResponse,
  type InboxResponse,
} from '../../shared/sync/relay-protocol';
import type { DeviceRecord, MailItem } from '../storage/relay-store';
import { authenticate } from './device-auth';
import { readJson, sendJson } from './http-io';
import type { RelayContext } from './relay-context';
import { RelayError } from './relay-error';
import { DECIMAL, notFound } from './relay-routes';

/**
 * Receiving mail: `GET /v1/inbox` pages through complete items after a cursor, `GET
 * /v1/inbox/ID` downloads one (byte ranges, for resuming on a bad link), and `POST
 * /v1/inbox/ID/ack` acknowledges it, after which the relay keeps no copy.
 */
export class Inbox {
  constructor(private readonly ctx: RelayContext) {}

  async list(url: URL, req: IncomingMessage, res: ServerResponse) {
    const device = await authenticate(this.ctx, req);
    for (const key of url.searchParams.keys()) {
      if (key !== 'after' && key !== 'limit')
        throw new RelayError(400, RelayErrorCode.BadRequest, 'unknown query');
    }
    const number = (name: string): number | undefined => {
      const all = url.searchParams.getAll(name);
      if (all.length === 0) return undefined;
      const v = all[0];
      if (all.length > 1 || v === undefined || !DECIMAL.test(v)) {
        throw new RelayError(400, RelayErrorCode.BadRequest, `${name} must be one decimal number`);
      }
      return Number(v);
    };
    const after = number('after') ?? (await this.ctx.store.getCursor(device.id));
    const limit = number('limit') ?? this.ctx.limits.maxInboxPage;
    if (limit < 1 || limit > this.ctx.limits.maxInboxPage) {
      throw new RelayError(400, RelayErrorCode.BadRequest, `limit is 1..${this.ctx.limits.maxInboxPage}`);
    }
    const rows = await this.ctx.store.listInbox(device.id, after, limit + 1);
    const page = rows.slice(0, limit);
    const body: InboxResponse = {
      items: page.map((i) => ({
        id: i.id,
        sender: i.sender,
        envelopeId: i.envelopeId,
        size: i.size,
        sha256: i.sha256,
        cursor: i.cursor,
        createdAt: i.createdAt,
      })),
      cursor: page.at(-1)?.cursor ?? after,
      more: rows.length > limit,
    };
    sendJson(res, 200, body);
  }

  /** The item if it is complete mail for `device`. */
  private async receivedItem(id: string, device: DeviceRecord): Promise<MailItem> {
    const item = await this.ctx.store.getItem(id);
    if (item?.recipient !== device.id || item.state === 'uploading') throw notFound();
    return item;
  }

  async download(id: string, req: IncomingMessage, res: ServerResponse) {
    const item = await this.receivedItem(id, await authenticate(this.ctx, req));
    if (item.state === 'acked') throw new RelayError(410, RelayErrorCode.Gone, 'the item was acknowledged');
    let start = 0;
    let end = item.size - 1;
    const range = req.headers.range;
    if (range !== undefined) {
      const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(range);
      const unsatisfiable = () =>
        new RelayError(
          416,
          RelayErrorCode.RangeNotSatisfiable,
          'one byte range within the item is required',
          {
            'content-range': `bytes */${item.size}`,
          },
        );
      if (!m || (m[1] === '' && m[2] === '')) throw unsatisfiable();
      if (m[1] === '') {
        start = Math.max(0, item.size - Number(m[2])); // suffix: the last N bytes
      } else {
        start = Number(m[1]);
        if (m[2] !== '') end = Math.min(end, Number(m[2]));
      }
      if (start > end || start >= item.size) throw unsatisfiable();
    }
    const partial = range !== undefined;
    res.writeHead(partial ? 206 : 200, {
      'content-type': 'application/octet-stream',
      'content-length': String(end - start + 1),
      'accept-ranges': 'bytes',
      etag: `"${item.sha256}"`,
      'cache-control': 'no-store',
      ...(partial ? { 'content-range': `bytes ${start}-${end}/${item.size}` } : {}),
    });
    try {
      await pipeline(this.ctx.store.blobs.read(item.id, start, end), res);
    } catch {
      // The client left or the file failed mid-way: the headers are gone, only closing is left.
      res.destroy();
    }
  }

  async ack(id: string, req: IncomingMessage, res: ServerResponse) {
    const item = await this.receivedItem(id, await authenticate(this.ctx, req));
    await readJson(req, AckRequest, this.ctx.limits.maxJsonBytes, { allowEmpty: true });
    const acked = await this.ctx.store.ackItem(item.id);
    // Store-and-forward: once the recipient holds it, the relay keeps no copy.
    await this.ctx.store.blobs.delete(item.id);
    sendJson(res, 200, { id: acked.id, state: 'acked' } satisfies AckResponse);
  }
}
