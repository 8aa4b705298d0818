import { createHash } from 'node:crypto';
import type { InboxItem } from '../../../../shared/sync/relay-protocol';
import { RelayErrorCode, RelayLinkErrorCode } from '../../../../shared/sync/sync-error-codes';
import type { DeviceSession } from './device-session';
import { relayRefusal, type RelayHttp } from './http-exchange';
import type { DownloadSink } from './relay-api';
import { networkError, RelayClientError } from './relay-error';
import { checkItemId } from './request-checks';
import { retrying, type RetryPolicy } from './retrying';

/** What a download runs on. */
export interface DownloadContext {
  readonly http: RelayHttp;
  readonly session: DeviceSession;
  readonly retry: RetryPolicy;
}

/**
 * Downloads one mailbox item into `sink`, from `sink.offset()` on with a Range request, and
 * again from where it stopped after a cut (at most `retry.maxRetries` failures in a row without
 * progress). The SHA-256 of the whole item is checked at the end (`E_DIGEST_MISMATCH`); a
 * download resumed across calls re-hashes the held prefix through `sink.readBack()`.
 */
export async function rangedDownload(
  ctx: DownloadContext,
  item: InboxItem,
  sink: DownloadSink,
  signal?: AbortSignal,
): Promise<void> {
  const { http, session } = ctx;
  checkItemId(item.id);
  const hash = createHash('sha256');
  let position = sink.offset();
  if (!Number.isSafeInteger(position) || position < 0 || position > item.size) {
    throw new RelayClientError(RelayLinkErrorCode.Protocol, 'the sink holds more than the item');
  }
  if (position > 0) {
    if (!sink.readBack) throw new TypeError('resuming a download needs sink.readBack() for the digest');
    let seen = 0;
    for await (const c of sink.readBack()) {
      hash.update(c);
      seen += c.length;
    }
    if (seen !== position)
      throw new RelayClientError(RelayLinkErrorCode.Protocol, 'the sink read back another length');
  }
  await retrying(
    ctx.retry,
    signal,
    () => position,
    async () => {
      if (position === item.size) return;
      const { res, abort } = await session.authed(async (token) => {
        const opened = await http.open({
          method: 'GET',
          path: `/v1/inbox/${item.id}`,
          token,
          headers: position > 0 ? { range: `bytes=${position}-` } : {},
          ...(signal ? { signal } : {}),
        });
        if (opened.res.statusCode !== 200 && opened.res.statusCode !== 206) {
          const parts: Buffer[] = [];
          for await (const c of opened.res) parts.push(c as Buffer);
          throw relayRefusal({
            status: opened.res.statusCode ?? 0,
            headers: opened.res.headers,
            body: Buffer.concat(parts),
          });
        }
        return opened;
      });
      const expected = item.size - position;
      const range = res.headers['content-range'];
      const headOk =
        Number(res.headers['content-length']) === expected &&
        (position === 0
          ? res.statusCode === 200 || range === `bytes 0-${item.size - 1}/${item.size}`
          : res.statusCode === 206 && range === `bytes ${position}-${item.size - 1}/${item.size}`);
      if (!headOk) {
        abort();
        throw new RelayClientError(RelayLinkErrorCode.Protocol, 'the relay answered another byte range');
      }
      try {
        for await (const chunk of res) {
          const c = chunk as Buffer;
          if (position + c.length > item.size) {
            throw new RelayClientError(RelayLinkErrorCode.Protocol, 'the relay sent more than the item');
          }
          await sink.write(c);
          hash.update(c);
          position += c.length;
        }
      } catch (e) {
        abort();
        throw e instanceof RelayClientError ? e : networkError(e);
      }
      if (position < item.size) {
        throw new RelayClientError(RelayLinkErrorCode.Network, 'the download was cut', { retryable: true });
      }
    },
  );
  if (hash.digest('hex') !== item.sha256) {
    throw new RelayClientError(
      RelayErrorCode.DigestMismatch,
      'the downloaded bytes do not match the announced SHA-256',
    );
  }
}
