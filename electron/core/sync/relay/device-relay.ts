import {
  AckResponse,
  AuditUploadResponse,
  type AuditUploadRequest,
  DeviceWipedResponse,
  DirectoryResponse,
  InboxResponse,
  PolicyResponse,
  RelayErrorCode,
  PublishPrekeysResponse,
  type Directory,
  type DirectoryChainStep,
  type InboxItem,
  type MailUploadStatus,
  type SignedPrekey,
} from '../../../../shared/sync/relay-protocol';
import { DeviceSession } from './device-session';
import { RelayClientError } from './relay-error';
import { exchangeJson, jsonBody, type RelayHttp } from './http-exchange';
import { openPush } from './push-channel';
import { rangedDownload } from './ranged-download';
import type { DeviceRelay, DeviceSigner, DownloadSink } from './relay-api';
import { checkCount, checkItemId } from './request-checks';
import { resumableUpload, type UploadItem } from './resumable-upload';
import { retrying, type RetryPolicy } from './retrying';
import type { UploadPacer } from './upload-pacer';
import { verifyDirectory } from './verify-directory';

/** What a device's relay runs on: the client's HTTP, pin, timeout, pacer and retry policy. */
export interface DeviceRelayContext {
  readonly http: RelayHttp;
  readonly fingerprintHex: string;
  readonly timeoutMs: number;
  readonly pacer: UploadPacer;
  readonly retry: RetryPolicy;
}

/**
 * A device's calls to the relay, every one on the device's {@link DeviceSession}: prekeys, the
 * signed directory, the mailbox (listings and acknowledgements retried on a cut, both being
 * idempotent), resumable transfers and push.
 */
export class DeviceRelayCalls implements DeviceRelay {
  private readonly session: DeviceSession;

  constructor(
    private readonly ctx: DeviceRelayContext,
    device: DeviceSigner,
  ) {
    this.session = new DeviceSession(ctx.http, ctx.fingerprintHex, device);
  }

  async publishPrekeys(prekeys: readonly SignedPrekey[]): Promise<void> {
    await this.session.authed((token) =>
      exchangeJson(this.ctx.http, jsonBody('PUT', '/v1/prekeys', { prekeys }, token), PublishPrekeysResponse),
    );
  }

  async directory(
    hqSignPublicKey: Uint8Array,
    verify: (message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array) => boolean,
    since?: number | null,
  ): Promise<{ directory: Directory; bytes: Uint8Array; steps: DirectoryChainStep[] }> {
    const path = since === undefined || since === null ? '/v1/directory' : `/v1/directory?since=${since}`;
    const body = await this.session.authed((token) =>
      exchangeJson(this.ctx.http, { method: 'GET', path, token }, DirectoryResponse),
    );
    return { ...verifyDirectory(body, hqSignPublicKey, verify), steps: body.steps ?? [] };
  }

  /** `POST /v1/audit`: one sealed audit batch (idempotent: the same bytes are kept once). */
  async uploadAudit(batch: AuditUploadRequest): Promise<void> {
    await this.session.authed((token) =>
      exchangeJson(this.ctx.http, jsonBody('POST', '/v1/audit', batch, token), AuditUploadResponse),
    );
  }

  /** `GET /v1/policy`: the published file's text, or null when HQ published none (404). */
  async policy(): Promise<string | null> {
    try {
      const body = await this.session.authed((token) =>
        exchangeJson(this.ctx.http, { method: 'GET', path: '/v1/policy', token }, PolicyResponse),
      );
      return body.policy;
    } catch (e) {
      if (e instanceof RelayClientError && e.code === RelayErrorCode.NotFound) return null;
      throw e;
    }
  }

  /**
   * A page of the mailbox. Retried on a cut like a transfer (a listing changes nothing): on a
   * link cut every few seconds, one lost listing would otherwise end the whole pass.
   */
  inbox(after?: number, limit?: number, signal?: AbortSignal): Promise<InboxResponse> {
    const q = new URLSearchParams();
    if (after !== undefined) q.set('after', String(checkCount(after, 'after')));
    if (limit !== undefined) q.set('limit', String(checkCount(limit, 'limit')));
    const path = `/v1/inbox${q.size > 0 ? `?${q.toString()}` : ''}`;
    return this.idempotent(signal, (token) =>
      exchangeJson(this.ctx.http, { method: 'GET', path, token }, InboxResponse),
    );
  }

  /**
   * Acknowledges an item. Retried on a cut: the relay answers 200 for an item already
   * acknowledged, so an acknowledgement whose answer was lost is simply sent again.
   */
  async ack(itemId: string, signal?: AbortSignal): Promise<void> {
    checkItemId(itemId);
    await this.idempotent(signal, (token) =>
      exchangeJson(this.ctx.http, jsonBody('POST', `/v1/inbox/${itemId}/ack`, {}, token), AckResponse),
    );
  }

  /** Once, no retry: a wipe waits for this only as long as one request takes. */
  async reportWiped(notice: { wipedAt: number; signature: string }): Promise<void> {
    await this.session.authed((token) =>
      exchangeJson(this.ctx.http, jsonBody('POST', '/v1/device/wiped', notice, token), DeviceWipedResponse),
    );
  }

  upload(
    item: UploadItem,
    onProgress?: (sent: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<MailUploadStatus> {
    return resumableUpload(
      { http: this.ctx.http, session: this.session, pacer: this.ctx.pacer, retry: this.ctx.retry },
      item,
      onProgress,
      signal,
    );
  }

  download(item: InboxItem, sink: DownloadSink, signal?: AbortSignal): Promise<void> {
    return rangedDownload(
      { http: this.ctx.http, session: this.session, retry: this.ctx.retry },
      item,
      sink,
      signal,
    );
  }

  push(onMail: (cursor: number) => void, onClose: (err?: Error) => void): { close(): void } {
    return openPush(
      {
        base: this.ctx.http.base,
        fingerprintHex: this.ctx.fingerprintHex,
        timeoutMs: this.ctx.timeoutMs,
        session: this.session,
      },
      onMail,
      onClose,
    );
  }

  /**
   * A call that changes nothing when repeated, on the session, sent again after a cut like a
   * transfer (no progress to count: every cut is a failure in a row).
   */
  private idempotent<T>(signal: AbortSignal | undefined, call: (token: string) => Promise<T>): Promise<T> {
    return retrying(
      this.ctx.retry,
      signal,
      () => 0,
      () => this.session.authed(call),
    );
  }
}
