import { createHash } from 'node:crypto';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { Agent, request as httpsRequest, type AgentOptions, type RequestOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import type { z } from 'zod';
import {
  AckResponse,
  authSessionMessage,
  ChallengeResponse,
  CHUNK_CONTENT_TYPES,
  Directory,
  directoryMessage,
  DirectoryResponse,
  EnrollResponse,
  HealthResponse,
  InboxResponse,
  MailUploadStatus,
  MAX_DIRECTORY_BYTES,
  PublishPrekeysResponse,
  PushMessage,
  RelayErrorBody,
  SessionResponse,
  UPLOAD_OFFSET_HEADER,
  type EnrolmentCertification,
  type EnrollRequest,
  type InboxItem,
  type SignedPrekey,
} from '../../../shared/sync/relay-protocol';

/**
 * The workstation's client of the HQ relay (`hq/`, protocol in shared/sync/relay-protocol.ts).
 *
 * - **Pinning.** Every TLS connection is checked against the relay certificate's SHA-256
 *   (`fingerprintHex`) right after the handshake and before the socket is handed to HTTP, so
 *   no request byte reaches a relay with another certificate (`E_PINNING`). The system CAs
 *   play no part; TLS session resumption is off so every handshake shows the certificate.
 * - **Validation.** Every response body is parsed with the protocol's strict schemas; anything
 *   else is `E_PROTOCOL`.
 * - **Errors** are {@link RelayClientError}s with a stable `code` (the relay's `E_…` code, or
 *   `E_NETWORK`, `E_TIMEOUT`, `E_PINNING`, `E_PROTOCOL`, `E_ABORTED`) and `retryable`.
 * - **Sessions.** `withDevice` keeps a bearer session per device, logs in by signed challenge
 *   when it has none or it is about to expire, and once more on `E_UNAUTHENTICATED`.
 */

export interface RelayClientOptions {
  /** `https://host:port` of the relay. */
  readonly baseUrl: string;
  /** SHA-256 of the relay's TLS certificate (DER), lowercase hex: what `hq serve` prints. */
  readonly fingerprintHex: string;
  /** Connect and inactivity timeout per request (ms); default 30 s. */
  readonly timeoutMs?: number;
  /** Extra agent options (socket counts, keep-alive). TLS trust options are the client's own. */
  readonly agentOptions?: Pick<AgentOptions, 'maxSockets' | 'maxFreeSockets' | 'keepAliveMsecs' | 'timeout'>;
  /** Chunk size of uploads; default 256 KiB. */
  readonly chunkBytes?: number;
  /** Failed attempts in a row (no progress between them) before upload/download gives up; default 5. */
  readonly maxRetries?: number;
  /** First retry delay (ms), doubled each time up to 2 s; default 100. */
  readonly retryDelayMs?: number;
}

export type RelayClientErrorCode =
  'E_NETWORK' | 'E_TIMEOUT' | 'E_PINNING' | 'E_PROTOCOL' | 'E_ABORTED' | (string & Record<never, never>);

export class RelayClientError extends Error {
  override readonly name = 'RelayClientError';
  readonly code: RelayClientErrorCode;
  readonly status?: number;
  readonly retryable: boolean;
  constructor(
    code: RelayClientErrorCode,
    message: string,
    options: { status?: number; retryable?: boolean } = {},
  ) {
    super(message);
    this.code = code;
    if (options.status !== undefined) this.status = options.status;
    this.retryable = options.retryable ?? false;
  }
}

/** What signs for a device: its Ed25519 key (in the vault or wherever the core keeps it). */
export interface DeviceSigner {
  readonly deviceId: string;
  sign(message: Uint8Array): Promise<Uint8Array> | Uint8Array;
}

/** Where a download goes. `offset()` is how many bytes it already holds. */
export interface DownloadSink {
  offset(): number;
  write(chunk: Uint8Array): void | Promise<void>;
  /**
   * The bytes it already holds, from 0 (needed only when a download resumes in a later call,
   * that is when `offset()` is not 0 at the start: the digest covers the whole item).
   */
  readBack?(): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

export interface DeviceRelay {
  publishPrekeys(prekeys: readonly SignedPrekey[]): Promise<void>;
  /** Fetches the directory, verifies HQ's signature (`E_BAD_SIGNATURE`) and parses it. */
  directory(
    hqSignPublicKey: Uint8Array,
    verify: (message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array) => boolean,
  ): Promise<{ directory: Directory; bytes: Uint8Array }>;
  upload(
    item: { recipient: string; envelopeId: string; bytes: Uint8Array; sha256?: string },
    onProgress?: (sent: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<MailUploadStatus>;
  inbox(after?: number, limit?: number, signal?: AbortSignal): Promise<InboxResponse>;
  download(item: InboxItem, sink: DownloadSink, signal?: AbortSignal): Promise<void>;
  ack(itemId: string, signal?: AbortSignal): Promise<void>;
  push(onMail: (cursor: number) => void, onClose: (err?: Error) => void): { close(): void };
}

export interface RelayClient {
  health(): Promise<HealthResponse>;
  enroll(req: EnrollRequest): Promise<EnrollResponse>;
  withDevice(device: DeviceSigner): DeviceRelay;
  /** Closes idle keep-alive sockets. */
  close(): void;
}

/** The enrolment request (`EnrollRequest.request`) for a certification: base64 of its UTF-8 JSON. */
export function encodeEnrolmentCertification(certification: EnrolmentCertification): string {
  return Buffer.from(JSON.stringify(certification), 'utf8').toString('base64');
}

/**
 * Checks a `GET /v1/directory` body: HQ's signature over {@link directoryMessage} of the bytes
 * (`E_BAD_SIGNATURE`), then UTF-8 JSON against the strict {@link Directory} schema
 * (`E_PROTOCOL`). The caller also refuses a serial below the highest it has accepted.
 */
export function verifyDirectory(
  body: DirectoryResponse,
  hqSignPublicKey: Uint8Array,
  verify: (message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array) => boolean,
): { directory: Directory; bytes: Uint8Array } {
  const bytes = new Uint8Array(Buffer.from(body.directory, 'base64'));
  const signature = new Uint8Array(Buffer.from(body.signature, 'base64'));
  let ok = false;
  try {
    ok = verify(directoryMessage(bytes), signature, hqSignPublicKey);
  } catch {
    ok = false;
  }
  if (!ok) throw new RelayClientError('E_BAD_SIGNATURE', "the directory does not carry HQ's signature");
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new RelayClientError('E_PROTOCOL', 'the directory is not UTF-8 JSON');
  }
  const parsed = Directory.safeParse(value);
  if (!parsed.success) throw new RelayClientError('E_PROTOCOL', 'the directory does not match the protocol');
  return { directory: parsed.data, bytes };
}

const RETRYABLE_NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** A transport failure as a RelayClientError (a RelayClientError passes through). */
function networkError(e: unknown): RelayClientError {
  if (e instanceof RelayClientError) return e;
  const code = (e as { code?: unknown } | undefined)?.code;
  const message = e instanceof Error ? e.message : 'network failure';
  // Anything else from the socket layer is a failed exchange too: retry is the safe reading.
  const known = typeof code === 'string' && RETRYABLE_NETWORK.has(code);
  return new RelayClientError('E_NETWORK', known ? `${code}` : message, { retryable: true });
}

/** Retryable HTTP answers: timeouts, rate limits, busy uploads and the relay's own faults. */
function retryableStatus(status: number, code: string): boolean {
  return status === 408 || status === 429 || status >= 500 || code === 'E_UPLOAD_BUSY';
}

function fingerprintOf(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

/**
 * An https.Agent that hands HTTP a socket only after the peer certificate's SHA-256 matched
 * the pin: `createConnection` calls back when the check passed (Agent supports the callback
 * form), so a request is never written to an unchecked connection.
 */
class PinnedAgent extends Agent {
  constructor(
    private readonly pin: string,
    private readonly connectTimeoutMs: number,
    options: AgentOptions,
  ) {
    // No session cache: a resumed TLS 1.3 session shows no certificate to check.
    super({ ...options, maxCachedSessions: 0 });
  }

  override createConnection(
    options: RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const done = (err: Error | null, stream?: Duplex) => callback?.(err, stream as Duplex);
    const socket: TLSSocket = tlsConnect({
      ...(options as ConnectionOptions),
      // The pin is the trust: chain and host name checks are replaced by it, not added to it.
      rejectUnauthorized: false,
      minVersion: 'TLSv1.3',
      session: undefined,
    });
    let settled = false;
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('error', onError);
      if (err) {
        socket.destroy();
        done(err);
      } else done(null, socket);
    };
    const onError = (e: Error) => settle(networkError(e));
    const timer = setTimeout(
      () => settle(new RelayClientError('E_TIMEOUT', 'TLS connect timed out', { retryable: true })),
      this.connectTimeoutMs,
    );
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const raw = cert && 'raw' in cert ? cert.raw : undefined;
      if (!raw || fingerprintOf(raw) !== this.pin) {
        settle(
          new RelayClientError('E_PINNING', 'the relay certificate does not match the pinned fingerprint'),
        );
        return;
      }
      settle(null);
    });
    // Returning nothing makes the Agent wait for the callback.
    return undefined;
  }
}

interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer;
  readonly token?: string;
  readonly signal?: AbortSignal;
}

interface RawReply {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

/** PATCH sizes: the first before the link is measured, and the least after. */
const FIRST_PATCH = 256 * 1024;
const MIN_PATCH = 64 * 1024;
/** Request bodies are handed to the socket this much at a time. */
const WRITE_SLICE = 64 * 1024;

/**
 * Writes a request body in slices, each when the socket has taken the one before. The request
 * timeout is an inactivity timeout, and Node counts a write as activity when it is handed over
 * and when it completes: one 4 MiB write on a 256 kbit/s link shows none for over two minutes,
 * so the timeout would end a PATCH that is moving. Slices make every 64 KiB that leaves count.
 */
function writeBody(req: ClientRequest, body: Buffer | undefined): void {
  if (!body || body.length <= WRITE_SLICE) {
    req.end(body);
    return;
  }
  let at = 0;
  const pump = () => {
    while (at < body.length) {
      if (req.destroyed) return;
      const end = Math.min(body.length, at + WRITE_SLICE);
      const more = req.write(body.subarray(at, end));
      at = end;
      if (!more) {
        req.once('drain', pump);
        return;
      }
    }
    req.end();
  };
  pump();
}

/** JSON replies larger than this are refused (the directory is the largest). */
const MAX_JSON_REPLY = Math.ceil(MAX_DIRECTORY_BYTES / 3) * 4 + 4096;
/** Session tokens are renewed this long before they expire. */
const SESSION_MARGIN_MS = 30_000;

class Client implements RelayClient {
  readonly agent: PinnedAgent;
  readonly base: URL;
  readonly timeoutMs: number;
  readonly chunkBytes: number;
  readonly maxRetries: number;
  readonly retryDelayMs: number;

  constructor(readonly options: RelayClientOptions) {
    const base = new URL(options.baseUrl);
    if (base.protocol !== 'https:' || base.pathname !== '/' || base.search !== '' || base.username !== '') {
      throw new TypeError('baseUrl is https://host:port');
    }
    if (!/^[0-9a-f]{64}$/.test(options.fingerprintHex)) {
      throw new TypeError('fingerprintHex is 64 lowercase hex characters');
    }
    this.base = base;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.chunkBytes = options.chunkBytes ?? 256 * 1024;
    this.maxRetries = options.maxRetries ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? 100;
    this.agent = new PinnedAgent(options.fingerprintHex, this.timeoutMs, {
      keepAlive: true,
      maxSockets: 8,
      ...options.agentOptions,
    });
  }

  /** Bytes per ms the last PATCH big enough to tell carried, request to answer. */
  private uploadRate: number | undefined;

  /**
   * The next PATCH's size: what the link carried lately in a third of the timeout, within
   * [64 KiB, chunkBytes]; 256 KiB before anything was measured. A request waits for its answer
   * until the whole chunk has crossed (and any queue on the way), so a chunk bigger than the
   * link carries in the timeout ends in E_TIMEOUT however well it moves — 4 MiB take 131 s at
   * 256 kbit/s, past the relay's own 120 s request limit too.
   */
  patchBytes(): number {
    if (this.uploadRate === undefined) return Math.min(this.chunkBytes, FIRST_PATCH);
    const fits = Math.floor((this.uploadRate * this.timeoutMs) / 3);
    return Math.max(Math.min(MIN_PATCH, this.chunkBytes), Math.min(this.chunkBytes, fits));
  }

  noteUpload(bytes: number, ms: number): void {
    if (bytes >= MIN_PATCH) this.uploadRate = bytes / Math.max(1, ms);
  }

  /** Opens a request; resolves with the response head (the body still streaming). */
  open(x: Exchange): Promise<{ res: IncomingMessage; abort: () => void }> {
    return new Promise((resolve, reject) => {
      if (x.signal?.aborted) return reject(aborted());
      const headers: Record<string, string> = { ...x.headers };
      if (x.body) headers['content-length'] = String(x.body.length);
      if (x.token) headers.authorization = `Bearer ${x.token}`;
      const options: RequestOptions = { method: x.method, headers, agent: this.agent };
      const req = httpsRequest(new URL(x.path, this.base), options);
      let failure: RelayClientError | undefined;
      const fail = (e: RelayClientError) => {
        failure ??= e;
        req.destroy(failure);
      };
      const onAbort = () => fail(aborted());
      x.signal?.addEventListener('abort', onAbort, { once: true });
      req.setTimeout(this.timeoutMs, () =>
        fail(new RelayClientError('E_TIMEOUT', 'the relay did not answer in time', { retryable: true })),
      );
      req.on('error', (e) => {
        x.signal?.removeEventListener('abort', onAbort);
        reject(failure ?? networkError(e));
      });
      req.on('response', (res) => {
        res.on('close', () => x.signal?.removeEventListener('abort', onAbort));
        resolve({ res, abort: () => fail(failure ?? aborted()) });
      });
      writeBody(req, x.body);
    });
  }

  /** One exchange with a bounded, fully read reply. */
  async exchange(x: Exchange, limit = MAX_JSON_REPLY): Promise<RawReply> {
    const { res } = await this.open(x);
    const body = await new Promise<Buffer>((resolve, reject) => {
      const parts: Buffer[] = [];
      let total = 0;
      res.on('data', (c: Buffer) => {
        total += c.length;
        if (total > limit) {
          res.destroy();
          reject(new RelayClientError('E_PROTOCOL', 'the reply is larger than the protocol allows'));
          return;
        }
        parts.push(c);
      });
      res.on('end', () => resolve(Buffer.concat(parts, total)));
      res.on('error', (e) => reject(networkError(e)));
      res.on('aborted', () =>
        reject(networkError(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))),
      );
    });
    return { status: res.statusCode ?? 0, headers: res.headers, body };
  }

  /** The relay's refusal as an error (its code, or E_PROTOCOL for a body that is not one). */
  refusal(reply: RawReply): RelayClientError {
    let code = 'E_PROTOCOL';
    let message = `unexpected HTTP ${reply.status}`;
    try {
      const parsed = RelayErrorBody.safeParse(JSON.parse(reply.body.toString('utf8')));
      if (parsed.success && /^E_[A-Z_]{1,40}$/.test(parsed.data.error.code)) {
        code = parsed.data.error.code;
        message = parsed.data.error.message.slice(0, 300);
      }
    } catch {
      // No error body: HEAD answers carry none, so read the two statuses HEAD can get.
      if (reply.body.length === 0 && reply.status === 401) code = 'E_UNAUTHENTICATED';
      if (reply.body.length === 0 && reply.status === 404) code = 'E_NOT_FOUND';
    }
    return new RelayClientError(code, message, {
      status: reply.status,
      retryable: retryableStatus(reply.status, code),
    });
  }

  /** An exchange whose success is `ok` statuses with a JSON body matching `schema`. */
  async json<T extends z.ZodType>(
    x: Exchange,
    schema: T,
    ok: readonly number[] = [200],
  ): Promise<z.infer<T>> {
    const reply = await this.exchange(x);
    if (!ok.includes(reply.status)) throw this.refusal(reply);
    const type = String(reply.headers['content-type'] ?? '');
    if (!type.startsWith('application/json'))
      throw new RelayClientError('E_PROTOCOL', 'the reply is not JSON');
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(reply.body));
    } catch {
      throw new RelayClientError('E_PROTOCOL', 'the reply is not valid JSON');
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new RelayClientError('E_PROTOCOL', 'the reply does not match the protocol');
    return parsed.data as z.infer<T>;
  }

  health(): Promise<HealthResponse> {
    return this.json({ method: 'GET', path: '/health' }, HealthResponse);
  }

  enroll(req: EnrollRequest): Promise<EnrollResponse> {
    return this.json(jsonBody('POST', '/v1/enroll', req), EnrollResponse, [200, 201]);
  }

  withDevice(device: DeviceSigner): DeviceRelay {
    return new DeviceSession(this, device);
  }

  close(): void {
    this.agent.destroy();
  }
}

function jsonBody(method: string, path: string, value: unknown, token?: string): Exchange {
  return {
    method,
    path,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(value), 'utf8'),
    ...(token ? { token } : {}),
  };
}

function aborted(): RelayClientError {
  return new RelayClientError('E_ABORTED', 'the operation was aborted');
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

class DeviceSession implements DeviceRelay {
  private session: { token: string; expiresAt: number } | undefined;
  private loggingIn: Promise<string> | undefined;

  constructor(
    private readonly client: Client,
    private readonly device: DeviceSigner,
  ) {}

  /** A bearer token, logging in by signed challenge when there is none or it is about to expire. */
  private token(): Promise<string> {
    if (this.session && this.session.expiresAt - SESSION_MARGIN_MS > Date.now()) {
      return Promise.resolve(this.session.token);
    }
    this.loggingIn ??= this.login().finally(() => (this.loggingIn = undefined));
    return this.loggingIn;
  }

  private async login(): Promise<string> {
    const { deviceId } = this.device;
    const ch = await this.client.json(
      jsonBody('POST', '/v1/auth/challenge', { deviceId }),
      ChallengeResponse,
    );
    const message = authSessionMessage(
      deviceId,
      this.client.options.fingerprintHex,
      new Uint8Array(Buffer.from(ch.nonce, 'base64')),
    );
    const signature = Buffer.from(await this.device.sign(message)).toString('base64');
    const s = await this.client.json(
      jsonBody('POST', '/v1/auth/session', { deviceId, nonce: ch.nonce, signature }),
      SessionResponse,
    );
    this.session = s;
    return s.token;
  }

  /** Runs `f` with a token; on E_UNAUTHENTICATED logs in again and runs it once more. */
  private async authed<T>(f: (token: string) => Promise<T>): Promise<T> {
    const token = await this.token();
    try {
      return await f(token);
    } catch (e) {
      if (!(e instanceof RelayClientError) || e.code !== 'E_UNAUTHENTICATED') throw e;
      if (this.session?.token === token) this.session = undefined;
      return f(await this.token());
    }
  }

  /** {@link authed} for exchanges that return the raw reply: a 401 there is a refusal too. */
  private authedRaw(f: (token: string) => Promise<RawReply>): Promise<RawReply> {
    return this.authed(async (token) => {
      const reply = await f(token);
      if (reply.status === 401) throw this.client.refusal(reply);
      return reply;
    });
  }

  async publishPrekeys(prekeys: readonly SignedPrekey[]): Promise<void> {
    await this.authed((token) =>
      this.client.json(jsonBody('PUT', '/v1/prekeys', { prekeys }, token), PublishPrekeysResponse),
    );
  }

  async directory(
    hqSignPublicKey: Uint8Array,
    verify: (message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array) => boolean,
  ): Promise<{ directory: Directory; bytes: Uint8Array }> {
    const body = await this.authed((token) =>
      this.client.json({ method: 'GET', path: '/v1/directory', token }, DirectoryResponse),
    );
    return verifyDirectory(body, hqSignPublicKey, verify);
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
    return this.retrying(
      signal,
      () => 0,
      () => this.authed((token) => this.client.json({ method: 'GET', path, token }, InboxResponse)),
    );
  }

  /**
   * Acknowledges an item. Retried on a cut: the relay answers 200 for an item already
   * acknowledged, so an acknowledgement whose answer was lost is simply sent again.
   */
  async ack(itemId: string, signal?: AbortSignal): Promise<void> {
    checkItemId(itemId);
    await this.retrying(
      signal,
      () => 0,
      () =>
        this.authed((token) =>
          this.client.json(jsonBody('POST', `/v1/inbox/${itemId}/ack`, {}, token), AckResponse),
        ),
    );
  }

  /** Runs `step` until it returns, retrying retryable failures with backoff, at most `maxRetries` in a row. */
  private async retrying<T>(
    signal: AbortSignal | undefined,
    progress: () => number,
    step: () => Promise<T>,
  ): Promise<T> {
    let failures = 0;
    let mark = progress();
    for (;;) {
      if (signal?.aborted) throw aborted();
      try {
        return await step();
      } catch (e) {
        const error = e instanceof RelayClientError ? e : networkError(e);
        if (!error.retryable || error.code === 'E_ABORTED') throw error;
        const now = progress();
        if (now > mark) {
          failures = 0;
          mark = now;
        }
        if (++failures > this.client.maxRetries) throw error;
        await sleep(Math.min(2000, this.client.retryDelayMs * 2 ** (failures - 1)), signal);
      }
    }
  }

  async upload(
    item: { recipient: string; envelopeId: string; bytes: Uint8Array; sha256?: string },
    onProgress?: (sent: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<MailUploadStatus> {
    const data = Buffer.from(item.bytes.buffer, item.bytes.byteOffset, item.bytes.byteLength);
    const size = data.length;
    // A digest the caller already has (the vault's, made when sealing) spares the event loop
    // a pass over a large item; a wrong one only makes the relay refuse the upload.
    const sha256 = item.sha256 ?? createHash('sha256').update(data).digest('hex');
    const create = { recipient: item.recipient, envelopeId: item.envelopeId, size, sha256 };
    let offset = -1;
    const announce = () =>
      this.authed((token) =>
        this.client.json(
          { ...jsonBody('POST', '/v1/mail', create, token), ...(signal ? { signal } : {}) },
          MailUploadStatus,
          [200, 201],
        ),
      );
    /** The item's status once the relay holds all bytes (a lost last answer, or an earlier call). */
    const finished = async () => {
      const status = await announce();
      if (status.state === 'uploading') {
        throw new RelayClientError('E_NETWORK', 'the upload is not complete yet', { retryable: true });
      }
      onProgress?.(size, size);
      return status;
    };
    return this.retrying(
      signal,
      () => offset,
      async () => {
        // Idempotent per envelope id: after a lost answer this returns the same item.
        const status = await announce();
        if (status.size !== size)
          throw new RelayClientError('E_PROTOCOL', 'the relay answered for another size');
        if (status.state !== 'uploading') {
          onProgress?.(size, size);
          return status;
        }
        const id = status.id;
        // The announcement's answer says where the relay stands (after a cut it kept what
        // arrived): send the rest. One round trip less per item than asking with HEAD, which
        // on a 600 ms link is most of a short message's upload time.
        if (!Number.isSafeInteger(status.offset) || status.offset < 0 || status.offset > size) {
          throw new RelayClientError('E_PROTOCOL', 'the relay reported an impossible upload offset');
        }
        offset = status.offset;
        onProgress?.(offset, size);
        // At least one PATCH: when every byte is there but the PATCH that brought the last ones
        // was cut before the relay completed the item, an empty one at the end completes it
        // (otherwise the item stays "uploading" for good and never reaches the recipient).
        do {
          const chunk = data.subarray(offset, Math.min(size, offset + this.client.patchBytes()));
          const started = Date.now();
          const reply = await this.authedRaw((token) =>
            this.client.exchange({
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
            const error = this.client.refusal(reply);
            if (error.code === 'E_UPLOAD_COMPLETE') return finished();
            if (error.code === 'E_OFFSET_MISMATCH') {
              // Another attempt moved the offset: HEAD again and go on from there.
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
            throw new RelayClientError('E_PROTOCOL', 'the relay reported an impossible offset');
          }
          this.client.noteUpload(next.offset - offset, Date.now() - started);
          offset = next.offset;
          onProgress?.(offset, size);
          if (next.state !== 'uploading') return next;
        } while (offset < size);
        // All bytes are at the relay but no completion was seen.
        return finished();
      },
    );
  }

  async download(item: InboxItem, sink: DownloadSink, signal?: AbortSignal): Promise<void> {
    checkItemId(item.id);
    const hash = createHash('sha256');
    let position = sink.offset();
    if (!Number.isSafeInteger(position) || position < 0 || position > item.size) {
      throw new RelayClientError('E_PROTOCOL', 'the sink holds more than the item');
    }
    if (position > 0) {
      if (!sink.readBack) throw new TypeError('resuming a download needs sink.readBack() for the digest');
      let seen = 0;
      for await (const c of sink.readBack()) {
        hash.update(c);
        seen += c.length;
      }
      if (seen !== position) throw new RelayClientError('E_PROTOCOL', 'the sink read back another length');
    }
    await this.retrying(
      signal,
      () => position,
      async () => {
        if (position === item.size) return;
        const { res, abort } = await this.authed(async (token) => {
          const opened = await this.client.open({
            method: 'GET',
            path: `/v1/inbox/${item.id}`,
            token,
            headers: position > 0 ? { range: `bytes=${position}-` } : {},
            ...(signal ? { signal } : {}),
          });
          if (opened.res.statusCode !== 200 && opened.res.statusCode !== 206) {
            const parts: Buffer[] = [];
            for await (const c of opened.res) parts.push(c as Buffer);
            throw this.client.refusal({
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
          throw new RelayClientError('E_PROTOCOL', 'the relay answered another byte range');
        }
        try {
          for await (const chunk of res) {
            const c = chunk as Buffer;
            if (position + c.length > item.size) {
              throw new RelayClientError('E_PROTOCOL', 'the relay sent more than the item');
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
          throw new RelayClientError('E_NETWORK', 'the download was cut', { retryable: true });
        }
      },
    );
    if (hash.digest('hex') !== item.sha256) {
      throw new RelayClientError(
        'E_DIGEST_MISMATCH',
        'the downloaded bytes do not match the announced SHA-256',
      );
    }
  }

  push(onMail: (cursor: number) => void, onClose: (err?: Error) => void): { close(): void } {
    let ws: WebSocket | undefined;
    let closed = false;
    let reported = false;
    const finish = (err?: Error) => {
      if (reported) return;
      reported = true;
      onClose(err);
    };
    const url = new URL('/v1/push', this.client.base);
    url.protocol = 'wss:';
    void this.token().then(
      (token) => {
        if (closed) return finish();
        ws = new WebSocket(url, {
          // A dedicated pinned agent: an upgraded socket leaves the keep-alive pool for good.
          agent: new PinnedAgent(this.client.options.fingerprintHex, this.client.timeoutMs, {
            keepAlive: false,
          }),
          headers: { authorization: `Bearer ${token}` },
          maxPayload: 1024,
          handshakeTimeout: this.client.timeoutMs,
        });
        ws.on('message', (data: Buffer, isBinary: boolean) => {
          let message: PushMessage;
          try {
            if (isBinary) throw new Error('binary');
            message = PushMessage.parse(JSON.parse(data.toString('utf8')));
          } catch {
            ws?.terminate();
            return finish(new RelayClientError('E_PROTOCOL', 'a push message does not match the protocol'));
          }
          if (message.type === 'mail') onMail(message.cursor);
        });
        ws.on('unexpected-response', (_req, res) => {
          // The session may have ended: forget it so the next call logs in again.
          if (res.statusCode === 401) this.session = undefined;
          ws?.terminate();
          finish(
            new RelayClientError('E_PUSH_REFUSED', `push refused with HTTP ${res.statusCode ?? 0}`, {
              status: res.statusCode ?? 0,
              retryable: (res.statusCode ?? 0) === 401 || (res.statusCode ?? 0) >= 500,
            }),
          );
        });
        ws.on('error', (e) => finish(networkError(e)));
        ws.on('close', (code) => {
          if (code === 4001) this.session = undefined;
          finish(
            closed || code === 1000
              ? undefined
              : new RelayClientError('E_NETWORK', `push closed (${code})`, { retryable: true }),
          );
        });
      },
      (e: unknown) => finish(e instanceof Error ? e : networkError(e)),
    );
    return {
      close() {
        closed = true;
        if (ws) ws.close(1000);
        else finish();
      },
    };
  }
}

function parseJson<T extends z.ZodType>(reply: RawReply, schema: T): z.infer<T> {
  try {
    const parsed = schema.safeParse(JSON.parse(reply.body.toString('utf8')));
    if (parsed.success) return parsed.data as z.infer<T>;
  } catch {
    // falls through
  }
  throw new RelayClientError('E_PROTOCOL', 'the reply does not match the protocol');
}

function checkCount(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`${what} is a non-negative integer`);
  return n;
}

function checkItemId(id: string): void {
  if (!/^[0-9a-f]{32}$/.test(id)) throw new TypeError('an item id is 32 lowercase hex characters');
}

/** A client of the relay at `baseUrl` whose certificate must have the SHA-256 `fingerprintHex`. */
export function createRelayClient(options: RelayClientOptions): RelayClient {
  return new Client(options);
}
