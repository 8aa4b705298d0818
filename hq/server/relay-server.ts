import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import {
  AckRequest,
  authSessionMessage,
  CHUNK_CONTENT_TYPES,
  ChallengeRequest,
  CreateMailRequest,
  DIRECTORY_VERSION,
  directoryMessage,
  enrolmentMessage,
  EnrollRequest,
  ItemId,
  MAX_DIRECTORY_BYTES,
  MAX_PREKEY_CLOCK_SKEW_MS,
  prekeyMessage,
  PublishPrekeysRequest,
  RelayErrorCode,
  SessionRequest,
  UPLOAD_LENGTH_HEADER,
  UPLOAD_OFFSET_HEADER,
  type AckResponse,
  type ChallengeResponse,
  type Directory,
  type DirectoryOfficer,
  type DirectoryResponse,
  type EnrollResponse,
  type HealthResponse,
  type InboxResponse,
  type MailUploadStatus,
  type PublishPrekeysResponse,
  type SessionResponse,
} from '../../shared/sync/relay-protocol';
import { deviceIdOf as deviceIdFromKey } from '../../shared/sync/device-id';
import { BlobOverflowError } from '../storage/file-blob-store';
import type { DeviceRecord, MailItem, RelayStore } from '../storage/relay-store';
import { SqliteRelayStore } from '../storage/sqlite-relay-store';
import { AuthSessions, type AuthLimits } from './auth-sessions';
import {
  CRL_DIR,
  loadCrls,
  loadTrustedCas,
  verifyEnrolmentCertification,
  type TrustedCa,
} from './enrolment-certification';
import { loadOrCreateIdentity, type HqIdentity } from './hq-identity';
import { declaredLength, readJson, sendError, sendJson } from './http-io';
import { PushHub } from './push-hub';
import { RelayError } from './relay-error';
import { loadSodium, type Sodium } from './sodium';

/** Sizes and counts the relay enforces. Every one is a bound on what a caller can make it hold. */
export interface RelayLimits extends AuthLimits {
  /** Largest JSON body (the enrolment request is the largest: up to 48 KiB of base64). */
  readonly maxJsonBytes: number;
  /** Largest `PATCH` chunk. */
  readonly maxChunkBytes: number;
  /** Largest mailbox item. */
  readonly maxItemBytes: number;
  /** Unacknowledged bytes (complete or uploading) one recipient device may have waiting. */
  readonly maxPendingBytesPerDevice: number;
  /** Largest inbox page. */
  readonly maxInboxPage: number;
  /** Open push sockets at most (all devices). */
  readonly maxPushConnections: number;
  /** Prekeys kept per device (the newest by `createdAt`; only the newest is listed). */
  readonly maxPrekeysPerDevice: number;
}

export const DEFAULT_LIMITS: RelayLimits = {
  maxJsonBytes: 80 * 1024,
  maxChunkBytes: 8 * 1024 * 1024,
  maxItemBytes: 256 * 1024 * 1024,
  maxPendingBytesPerDevice: 2 * 1024 * 1024 * 1024,
  maxInboxPage: 100,
  maxPushConnections: 10_000,
  maxPrekeysPerDevice: 16,
  challengeTtlMs: 60_000,
  sessionTtlMs: 15 * 60_000,
  maxChallenges: 100_000,
  maxSessions: 100_000,
};

export interface RelayOptions {
  /** Holds the TLS identity, the HQ signing key, the database and the item bytes. */
  readonly dataDir: string;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly limits?: Partial<RelayLimits>;
  /** Defaults to the embedded SQLite store in `dataDir`. The relay closes it on `close()`. */
  readonly store?: RelayStore;
  /** One line per request (method, route, status, time) and faults; never a body. */
  readonly log?: (line: string) => void;
  /**
   * PEM files of CAs whose officers' devices are approved at enrolment (`hq serve --trust-ca`);
   * `DATA/trusted-ca/*.pem` are read too. A file that does not parse stops the start.
   */
  readonly trustCaFiles?: readonly string[];
}

/** A listening relay. */
export interface RunningRelay {
  readonly url: string;
  readonly port: number;
  /** SHA-256 hex of the TLS certificate, for clients to pin. */
  readonly fingerprint: string;
  readonly certificatePem: string;
  readonly hqSignPublicKey: string;
  close(): Promise<void>;
}

/** A device's id from its Ed25519 public key (the rule: shared/sync/device-id.ts). */
export function deviceIdOf(signPublicKey: Uint8Array): string {
  return deviceIdFromKey(signPublicKey, (bytes) => createHash('sha256').update(bytes).digest());
}

const BEARER = /^Bearer ([A-Za-z0-9_-]{43})$/;
const DECIMAL = /^\d{1,15}$/;

type Route =
  | 'health'
  | 'enroll'
  | 'challenge'
  | 'session'
  | 'mail.create'
  | 'mail.item'
  | 'inbox.list'
  | 'inbox.item'
  | 'inbox.ack'
  | 'prekeys'
  | 'directory';

/** Which route a path names, with its item id; undefined when none. */
function matchRoute(path: string): { route: Route; id?: string } | undefined {
  const fixed: Record<string, Route> = {
    '/health': 'health',
    '/v1/enroll': 'enroll',
    '/v1/auth/challenge': 'challenge',
    '/v1/auth/session': 'session',
    '/v1/mail': 'mail.create',
    '/v1/inbox': 'inbox.list',
    '/v1/prekeys': 'prekeys',
    '/v1/directory': 'directory',
  };
  const f = fixed[path];
  if (f) return { route: f };
  let m = /^\/v1\/mail\/([^/]+)$/.exec(path);
  if (m?.[1] !== undefined) return { route: 'mail.item', id: m[1] };
  m = /^\/v1\/inbox\/([^/]+)\/ack$/.exec(path);
  if (m?.[1] !== undefined) return { route: 'inbox.ack', id: m[1] };
  m = /^\/v1\/inbox\/([^/]+)$/.exec(path);
  if (m?.[1] !== undefined) return { route: 'inbox.item', id: m[1] };
  return undefined;
}

const METHODS: Record<Route, readonly string[]> = {
  health: ['GET'],
  enroll: ['POST'],
  challenge: ['POST'],
  session: ['POST'],
  'mail.create': ['POST'],
  'mail.item': ['HEAD', 'PATCH'],
  'inbox.list': ['GET'],
  'inbox.item': ['GET'],
  'inbox.ack': ['POST'],
  prekeys: ['PUT'],
  directory: ['GET'],
};

const notFound = () => new RelayError(404, RelayErrorCode.NotFound, 'no such item');

/**
 * The HQ relay: store-and-forward of ciphertext over HTTPS, with a WebSocket push. It holds no
 * key that opens what it stores. Fails closed: anything it does not recognise is refused with
 * a 4xx and a stable code; a fault inside is a 500 that does not stop the process.
 */
class Relay {
  private readonly uploading = new Set<string>();
  readonly auth: AuthSessions;
  readonly push: PushHub;
  /** The last signed directory, reused while the serial stays the same. */
  private signedDirectory: { serial: number; body: DirectoryResponse } | undefined;

  constructor(
    private readonly store: RelayStore,
    private readonly identity: HqIdentity,
    private readonly sodium: Sodium,
    private readonly limits: RelayLimits,
    private readonly log: (line: string) => void,
    private readonly trustedCas: readonly TrustedCa[],
    /** Where `crl/` is read from at every enrolment. */
    private readonly dataDir: string,
  ) {
    this.auth = new AuthSessions(limits);
    this.push = new PushHub(this.auth, store, limits.maxPushConnections, log);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    let route = 'unknown';
    res.once('finish', () =>
      this.log(`${req.method ?? '?'} ${route} ${res.statusCode} ${Date.now() - started}ms`),
    );
    try {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'https://relay.invalid');
      } catch {
        throw new RelayError(400, RelayErrorCode.BadRequest, 'malformed request target');
      }
      const match = matchRoute(url.pathname);
      if (!match) throw new RelayError(404, RelayErrorCode.NotFound, 'no such route');
      route = match.route;
      const allowed = METHODS[match.route];
      if (!allowed.includes(req.method ?? '')) {
        throw new RelayError(405, RelayErrorCode.MethodNotAllowed, `use ${allowed.join(' or ')}`, {
          allow: allowed.join(', '),
        });
      }
      if (match.route !== 'inbox.list' && url.search !== '') {
        throw new RelayError(400, RelayErrorCode.BadRequest, 'this route takes no query');
      }
      if (match.id !== undefined && !ItemId.safeParse(match.id).success) throw notFound();
      await this.dispatch(match.route, match.id ?? '', url, req, res);
    } catch (e) {
      let error: RelayError;
      if (e instanceof RelayError) error = e;
      else {
        // The error's name only: messages of library errors can quote input.
        this.log(`fault ${route}: ${e instanceof Error ? e.name : 'non-error thrown'}`);
        error = new RelayError(500, RelayErrorCode.Internal, 'internal error');
      }
      // A body left unread could be of any size: close the connection rather than drain it.
      sendError(res, error, !req.readableEnded);
    }
  }

  private async dispatch(route: Route, id: string, url: URL, req: IncomingMessage, res: ServerResponse) {
    switch (route) {
      case 'health':
        return sendJson(res, 200, {
          status: 'ok',
          protocol: 1,
          hqSignPublicKey: Buffer.from(this.identity.signPublicKey).toString('base64'),
        } satisfies HealthResponse);
      case 'enroll':
        return this.enroll(req, res);
      case 'challenge':
        return this.challenge(req, res);
      case 'session':
        return this.session(req, res);
      case 'mail.create':
        return this.createMail(req, res);
      case 'mail.item':
        return req.method === 'HEAD' ? this.headMail(id, req, res) : this.patchMail(id, req, res);
      case 'inbox.list':
        return this.listInbox(url, req, res);
      case 'inbox.item':
        return this.download(id, req, res);
      case 'inbox.ack':
        return this.ack(id, req, res);
      case 'prekeys':
        return this.publishPrekeys(req, res);
      case 'directory':
        return this.directory(req, res);
    }
  }

  private async enroll(req: IncomingMessage, res: ServerResponse) {
    const body = await readJson(req, EnrollRequest, this.limits.maxJsonBytes);
    const signPk = Buffer.from(body.signPublicKey, 'base64');
    const boxPk = Buffer.from(body.boxPublicKey, 'base64');
    // The officer's token certifies these device keys: chain, validity, key usage, revocation,
    // token signature. The CRL folder is read again here so that a new CRL applies at once.
    let crls: Uint8Array<ArrayBuffer>[];
    try {
      crls = loadCrls(this.dataDir);
    } catch (e) {
      this.log(`error: enrolment refused, the CRL folder cannot be read: ${(e as Error).message}`);
      throw new RelayError(500, RelayErrorCode.Internal, 'the relay cannot read its revocation lists');
    }
    const certified = verifyEnrolmentCertification(
      body.request,
      signPk,
      boxPk,
      this.trustedCas,
      Date.now(),
      crls,
    );
    const request = Buffer.from(body.request, 'base64');
    const proof = Buffer.from(body.proof, 'base64');
    if (!this.sodium.crypto_sign_verify_detached(proof, enrolmentMessage(signPk, boxPk, request), signPk)) {
      throw new RelayError(401, RelayErrorCode.BadSignature, 'the enrolment proof does not verify');
    }
    const id = deviceIdOf(signPk);
    const { created, device } = await this.store.enrolDevice(
      {
        id,
        signPublicKey: body.signPublicKey,
        boxPublicKey: body.boxPublicKey,
        enrolmentRequest: body.request,
        officer: certified.officer,
        status: certified.trustedBy ? 'approved' : 'pending',
        ...(certified.trustedBy ? { approvedByCa: certified.trustedBy } : {}),
      },
      Date.now(),
    );
    if (created && certified.trustedBy) {
      this.log(`audit: device ${id} auto-approved by CA ${certified.trustedBy}`);
    }
    if (!created) {
      if (device.status === 'revoked') {
        throw new RelayError(403, RelayErrorCode.DeviceRevoked, 'this device was revoked; enrol new keys');
      }
      if (device.boxPublicKey !== body.boxPublicKey || device.enrolmentRequest !== body.request) {
        throw new RelayError(
          409,
          RelayErrorCode.DeviceConflict,
          'this signing key is enrolled with other keys',
        );
      }
    }
    sendJson(res, created ? 201 : 200, { deviceId: id, status: device.status } satisfies EnrollResponse);
  }

  /** A device that may authenticate: enrolled and approved. */
  private async approvedDevice(deviceId: string): Promise<DeviceRecord> {
    const device = await this.store.getDevice(deviceId);
    if (!device) throw new RelayError(404, RelayErrorCode.DeviceUnknown, 'this device is not enrolled');
    if (device.status === 'pending') {
      throw new RelayError(403, RelayErrorCode.DevicePending, 'this device awaits approval by HQ');
    }
    if (device.status !== 'approved')
      throw new RelayError(403, RelayErrorCode.DeviceRevoked, 'this device was revoked');
    return device;
  }

  private async challenge(req: IncomingMessage, res: ServerResponse) {
    const body = await readJson(req, ChallengeRequest, this.limits.maxJsonBytes);
    await this.approvedDevice(body.deviceId);
    const issued = this.auth.issueChallenge(body.deviceId);
    if (!issued)
      throw new RelayError(503, RelayErrorCode.Busy, 'too many outstanding challenges; retry later');
    sendJson(res, 200, issued satisfies ChallengeResponse);
  }

  private async session(req: IncomingMessage, res: ServerResponse) {
    const body = await readJson(req, SessionRequest, this.limits.maxJsonBytes);
    if (!this.auth.takeChallenge(body.nonce, body.deviceId)) {
      throw new RelayError(401, RelayErrorCode.ChallengeInvalid, 'unknown, used or expired challenge');
    }
    const device = await this.approvedDevice(body.deviceId);
    const message = authSessionMessage(
      body.deviceId,
      this.identity.fingerprint,
      Buffer.from(body.nonce, 'base64'),
    );
    const signPk = Buffer.from(device.signPublicKey, 'base64');
    if (!this.sodium.crypto_sign_verify_detached(Buffer.from(body.signature, 'base64'), message, signPk)) {
      throw new RelayError(401, RelayErrorCode.BadSignature, 'the challenge signature does not verify');
    }
    const opened = this.auth.openSession(body.deviceId);
    if (!opened) throw new RelayError(503, RelayErrorCode.Busy, 'too many sessions; retry later');
    sendJson(res, 200, opened satisfies SessionResponse);
  }

  /** The approved device behind the request's bearer token; refuses everything else. */
  private async authenticate(req: IncomingMessage): Promise<DeviceRecord> {
    const m = BEARER.exec(req.headers.authorization ?? '');
    const session = m?.[1] ? this.auth.session(m[1]) : undefined;
    if (!session)
      throw new RelayError(401, RelayErrorCode.Unauthenticated, 'a valid session token is required');
    // Re-read on every request: a revocation applies at once, not when the session ends.
    return this.approvedDevice(session.deviceId);
  }

  private status(item: MailItem): MailUploadStatus {
    return { id: item.id, offset: item.offset, size: item.size, state: item.state };
  }

  private async createMail(req: IncomingMessage, res: ServerResponse) {
    const sender = await this.authenticate(req);
    const body = await readJson(req, CreateMailRequest, this.limits.maxJsonBytes);
    if (body.size > this.limits.maxItemBytes) {
      throw new RelayError(
        413,
        RelayErrorCode.QuotaExceeded,
        `items are at most ${this.limits.maxItemBytes} bytes`,
      );
    }
    const recipient = await this.store.getDevice(body.recipient);
    if (recipient?.status !== 'approved') {
      throw new RelayError(409, RelayErrorCode.RecipientUnavailable, 'the recipient device is not approved');
    }
    const result = await this.store.createItem(
      {
        id: randomBytes(16).toString('hex'),
        recipient: body.recipient,
        sender: sender.id,
        envelopeId: body.envelopeId,
        size: body.size,
        sha256: body.sha256,
        createdAt: Date.now(),
      },
      this.limits.maxPendingBytesPerDevice,
    );
    switch (result.kind) {
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
    const item = await this.store.getItem(id);
    if (item?.sender !== device.id) throw notFound();
    return item;
  }

  private async headMail(id: string, req: IncomingMessage, res: ServerResponse) {
    const item = await this.sentItem(id, await this.authenticate(req));
    res.writeHead(200, {
      [UPLOAD_OFFSET_HEADER]: String(item.offset),
      [UPLOAD_LENGTH_HEADER]: String(item.size),
      'cache-control': 'no-store',
    });
    res.end();
  }

  private async patchMail(id: string, req: IncomingMessage, res: ServerResponse) {
    const item = await this.sentItem(id, await this.authenticate(req));
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
    const room = Math.min(this.limits.maxChunkBytes, item.size - item.offset);
    const declared = declaredLength(req);
    if (declared !== undefined && declared > room) {
      throw new RelayError(413, RelayErrorCode.PayloadTooLarge, `this chunk may hold at most ${room} bytes`);
    }
    if (this.uploading.has(item.id)) {
      throw new RelayError(
        409,
        RelayErrorCode.UploadBusy,
        'another upload of this item is in progress',
        offsetHeader,
      );
    }
    this.uploading.add(item.id);
    try {
      const { written, error } = await this.store.blobs.writeAt(item.id, item.offset, req, room);
      const offset = item.offset + written;
      await this.store.setItemOffset(item.id, offset);
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
      const digest = await this.store.blobs.sha256(item.id, item.size);
      if (digest !== item.sha256) {
        // Restart the item rather than keep bytes that are not what the sender announced.
        await this.store.blobs.delete(item.id);
        await this.store.setItemOffset(item.id, 0);
        throw new RelayError(
          422,
          RelayErrorCode.DigestMismatch,
          'the bytes do not match the declared SHA-256',
          {
            [UPLOAD_OFFSET_HEADER]: '0',
          },
        );
      }
      const done = await this.store.completeItem(item.id);
      this.push.notify(done.recipient, done.cursor);
      sendJson(res, 200, this.status(done), { [UPLOAD_OFFSET_HEADER]: String(done.offset) });
    } finally {
      this.uploading.delete(item.id);
    }
  }

  private async listInbox(url: URL, req: IncomingMessage, res: ServerResponse) {
    const device = await this.authenticate(req);
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
    const after = number('after') ?? (await this.store.getCursor(device.id));
    const limit = number('limit') ?? this.limits.maxInboxPage;
    if (limit < 1 || limit > this.limits.maxInboxPage) {
      throw new RelayError(400, RelayErrorCode.BadRequest, `limit is 1..${this.limits.maxInboxPage}`);
    }
    const rows = await this.store.listInbox(device.id, after, limit + 1);
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
    const item = await this.store.getItem(id);
    if (item?.recipient !== device.id || item.state === 'uploading') throw notFound();
    return item;
  }

  private async download(id: string, req: IncomingMessage, res: ServerResponse) {
    const item = await this.receivedItem(id, await this.authenticate(req));
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
      await pipeline(this.store.blobs.read(item.id, start, end), res);
    } catch {
      // The client left or the file failed mid-way: the headers are gone, only closing is left.
      res.destroy();
    }
  }

  private async publishPrekeys(req: IncomingMessage, res: ServerResponse) {
    const device = await this.authenticate(req);
    const body = await readJson(req, PublishPrekeysRequest, this.limits.maxJsonBytes);
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
      if (!this.sodium.crypto_sign_verify_detached(Buffer.from(p.signature, 'base64'), message, signPk)) {
        throw new RelayError(401, RelayErrorCode.BadSignature, 'a prekey signature does not verify');
      }
    }
    const result = await this.store.putPrekeys(device.id, body.prekeys, this.limits.maxPrekeysPerDevice);
    if (result.kind === 'conflict') {
      throw new RelayError(
        409,
        RelayErrorCode.PrekeyConflict,
        'a prekey id was already published with other content',
      );
    }
    sendJson(res, 200, { current: result.current.prekeyId } satisfies PublishPrekeysResponse);
  }

  /**
   * The HQ-signed directory of approved and revoked devices, grouped by officer address. The
   * signature is made again only when the store's serial moved (any device or prekey change).
   */
  private async directory(req: IncomingMessage, res: ServerResponse) {
    await this.authenticate(req);
    const serial = await this.store.getDirectorySerial();
    if (this.signedDirectory?.serial !== serial) {
      const snapshot = await this.store.getDirectorySnapshot();
      const officers = new Map<string, DirectoryOfficer>();
      // Devices come sorted by id; the officer's name and department are those of its newest device.
      const newest = new Map<string, number>();
      for (const d of snapshot.devices) {
        const o = officers.get(d.officer.address) ?? {
          address: d.officer.address,
          name: d.officer.name,
          department: d.officer.department,
          devices: [],
        };
        if (d.createdAt >= (newest.get(d.officer.address) ?? -1)) {
          newest.set(d.officer.address, d.createdAt);
          o.name = d.officer.name;
          o.department = d.officer.department;
        }
        o.devices.push({
          deviceId: d.id,
          signPublicKey: d.signPublicKey,
          boxPublicKey: d.boxPublicKey,
          status: d.status === 'approved' ? 'approved' : 'revoked',
          certificateFingerprint: d.officer.certificateFingerprint,
          certification: d.enrolmentRequest,
          ...(d.prekey ? { prekey: d.prekey } : {}),
        });
        officers.set(d.officer.address, o);
      }
      const directory: Directory = {
        version: DIRECTORY_VERSION,
        serial: snapshot.serial,
        issuedAt: Date.now(),
        officers: [...officers.values()].sort((a, b) =>
          a.address < b.address ? -1 : a.address > b.address ? 1 : 0,
        ),
      };
      const bytes = Buffer.from(JSON.stringify(directory), 'utf8');
      if (bytes.length > MAX_DIRECTORY_BYTES) {
        throw new RelayError(
          500,
          RelayErrorCode.Internal,
          'the directory is larger than the protocol allows',
        );
      }
      const signature = this.sodium.crypto_sign_detached(
        directoryMessage(bytes),
        this.identity.signSecretKey,
      );
      this.signedDirectory = {
        serial: snapshot.serial,
        body: { directory: bytes.toString('base64'), signature: Buffer.from(signature).toString('base64') },
      };
    }
    sendJson(res, 200, this.signedDirectory.body);
  }

  private async ack(id: string, req: IncomingMessage, res: ServerResponse) {
    const item = await this.receivedItem(id, await this.authenticate(req));
    await readJson(req, AckRequest, this.limits.maxJsonBytes, { allowEmpty: true });
    const acked = await this.store.ackItem(item.id);
    // Store-and-forward: once the recipient holds it, the relay keeps no copy.
    await this.store.blobs.delete(item.id);
    sendJson(res, 200, { id: acked.id, state: 'acked' } satisfies AckResponse);
  }
}

/** Starts the relay: loads or creates its identity in `dataDir`, opens the store, listens. */
export async function startRelay(options: RelayOptions): Promise<RunningRelay> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const limits: RelayLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const sodium = await loadSodium();
  const identity = await loadOrCreateIdentity(options.dataDir, sodium);
  const trustedCas = loadTrustedCas(options.dataDir, options.trustCaFiles);
  for (const ca of trustedCas) log(`trusted CA ${ca.fingerprint}`);
  // A file in DATA/crl/ that is not a CRL stops the start here, not at the first enrolment.
  const crlCount = loadCrls(options.dataDir).length;
  if (crlCount > 0) log(`${crlCount} CRL(s) in ${CRL_DIR}/ checked at enrolment`);
  const store = options.store ?? SqliteRelayStore.open(options.dataDir);
  // A relay killed between an acknowledgement's commit and the unlink of its bytes leaves a
  // blob nobody will ask for again (the mailbox no longer lists the item): swept here.
  let swept = 0;
  for (const id of await store.blobs.list()) {
    const item = await store.getItem(id);
    if (item === undefined || item.state === 'acked') {
      await store.blobs.delete(id);
      swept++;
    }
  }
  if (swept > 0) log(`swept ${swept} file(s) of acknowledged or unknown items`);
  const relay = new Relay(store, identity, sodium, limits, log, trustedCas, options.dataDir);

  const server: Server = createServer({
    key: identity.tlsKeyPem,
    cert: identity.tlsCertPem,
    minVersion: 'TLSv1.3',
    // Slow-loris bounds: a request must arrive in full, headers quickly.
    headersTimeout: 10_000,
    requestTimeout: 120_000,
    maxHeaderSize: 16 * 1024,
  });
  server.keepAliveTimeout = 30_000;
  server.on('request', (req, res) => {
    void relay.handle(req, res);
  });
  server.on('upgrade', (req, socket, head) => relay.push.upgrade(req, socket, head));
  // A TLS handshake or parse failure is the client's problem: answer if possible, never crash.
  server.on('clientError', (_err, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  server.on('tlsClientError', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closed: Promise<void> | undefined;
  return {
    url: `https://${host}:${port}`,
    port,
    fingerprint: identity.fingerprint,
    certificatePem: identity.tlsCertPem,
    hqSignPublicKey: Buffer.from(identity.signPublicKey).toString('base64'),
    close() {
      closed ??= (async () => {
        relay.push.closeAll();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await store.close();
      })();
      return closed;
    },
  };
}
