import { deviceWiped } from './device-wiped';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ItemId, RelayErrorCode, type HealthResponse } from '../../shared/sync/relay-protocol';
import type { RelayStore } from '../storage/relay-store';
import { AbuseGuards } from './abuse-guards';
import { challenge, session } from './device-auth';
import { DirectoryPublisher } from './directory-publisher';
import { servePolicy } from './policy-mirror';
import { serveUpdateFile } from './update-files';
import { storeAuditBatch } from './audit-mailbox';
import { CRL_DIR, loadCrls, loadTrustedCas } from './enrolment-certification';
import { enroll } from './enrolment';
import { loadOrCreateIdentity } from './hq-identity';
import { sendError, sendJson } from './http-io';
import { Inbox } from './inbox';
import { MailUploads } from './mail-uploads';
import { publishPrekeys } from './prekey-publication';
import { PushHub } from './push-hub';
import { localBackend, openRelayBackend } from './relay-backend';
import type { RelayContext } from './relay-context';
import { RelayError } from './relay-error';
import { DEFAULT_LIMITS, type RelayLimits } from './relay-limits';
import { matchRoute, METHODS, notFound, type Route } from './relay-routes';
import { loadSodium } from './sodium';
import { UploadExpiry } from './upload-expiry';
import { serveTimestamp } from './tsa-route';
import type { TsaSigner } from './tsa-responder';

export { deviceIdOf } from './enrolment';
export { DEFAULT_LIMITS, type RelayLimits } from './relay-limits';

export interface RelayOptions {
  /**
   * Holds the TLS identity and the HQ signing key (every instance on one database gets a copy
   * of the same ones: clients pin one certificate), and without `db` the database and item bytes.
   */
  readonly dataDir: string;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly limits?: Partial<RelayLimits>;
  /**
   * `postgres://…`: devices, mailboxes, item bytes, sessions and wake-ups in that database,
   * shared with every other instance on it. Absent: the embedded SQLite store in `dataDir`.
   */
  readonly db?: string;
  /** An open store for a single instance (bench, tests), instead of `db` or the default. Closed on `close()`. */
  readonly store?: RelayStore;
  /** One line per request (method, route, status, time) and faults; never a body. */
  readonly log?: (line: string) => void;
  /**
   * PEM files of CAs whose officers' devices are approved at enrolment (`hq serve --trust-ca`);
   * `DATA/trusted-ca/*.pem` are read too. A file that does not parse stops the start.
   */
  readonly trustCaFiles?: readonly string[];
  /** The update folder served at `/v1/updates/NAME` (default `DATA/updates`). */
  readonly updatesDir?: string;
  /** HQ's RFC 3161 TSA at `POST /v1/tsa` (`hq serve --tsa-key --tsa-cert`); absent: no such route. */
  readonly tsa?: TsaSigner;
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

/**
 * The HQ relay: store-and-forward of ciphertext over HTTPS, with a WebSocket push. It holds no
 * key that opens what it stores. Fails closed: anything it does not recognise is refused with
 * a 4xx and a stable code; a fault inside is a 500 that does not stop the process. Each route
 * lives in the file named for it; this class only parses the target and dispatches.
 */
class Relay {
  private readonly mail: MailUploads;
  private readonly inbox: Inbox;
  private readonly directory: DirectoryPublisher;

  constructor(private readonly ctx: RelayContext) {
    this.mail = new MailUploads(ctx);
    this.inbox = new Inbox(ctx);
    this.directory = new DirectoryPublisher(ctx);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    let route = 'unknown';
    res.once('finish', () =>
      this.ctx.log(`${req.method ?? '?'} ${route} ${res.statusCode} ${Date.now() - started}ms`),
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
      // electron-updater adds a cache-busting query to its metadata requests; the directory
      // takes ?since=SERIAL (directory-publisher.ts checks it).
      const queried =
        match.route === 'inbox.list' || match.route === 'updates' || match.route === 'directory';
      if (!queried && url.search !== '') {
        throw new RelayError(400, RelayErrorCode.BadRequest, 'this route takes no query');
      }
      if (match.route === 'updates') return await serveUpdateFile(this.ctx, match.id ?? '', req, res);
      if (match.id !== undefined && !ItemId.safeParse(match.id).success) throw notFound();
      await this.dispatch(match.route, match.id ?? '', url, req, res);
    } catch (e) {
      let error: RelayError;
      if (e instanceof RelayError) error = e;
      else {
        // The error's name only: messages of library errors can quote input.
        this.ctx.log(`fault ${route}: ${e instanceof Error ? e.name : 'non-error thrown'}`);
        error = new RelayError(500, RelayErrorCode.Internal, 'internal error');
      }
      // A body left unread could be of any size: close the connection rather than drain it.
      sendError(res, error, !req.readableEnded);
    }
  }

  private async dispatch(route: Route, id: string, url: URL, req: IncomingMessage, res: ServerResponse) {
    const ctx = this.ctx;
    switch (route) {
      case 'health':
        return sendJson(res, 200, {
          status: 'ok',
          protocol: 1,
          hqSignPublicKey: Buffer.from(ctx.identity.signPublicKey).toString('base64'),
        } satisfies HealthResponse);
      case 'enroll':
        return enroll(ctx, req, res);
      case 'challenge':
        return challenge(ctx, req, res);
      case 'session':
        return session(ctx, req, res);
      case 'mail.create':
        return this.mail.create(req, res);
      case 'mail.item':
        return req.method === 'HEAD' ? this.mail.head(id, req, res) : this.mail.patch(id, req, res);
      case 'inbox.list':
        return this.inbox.list(url, req, res);
      case 'inbox.item':
        return this.inbox.download(id, req, res);
      case 'inbox.ack':
        return this.inbox.ack(id, req, res);
      case 'prekeys':
        return publishPrekeys(ctx, req, res);
      case 'directory':
        return this.directory.handle(url, req, res);
      case 'policy':
        return servePolicy(ctx, req, res);
      case 'audit':
        return storeAuditBatch(ctx, req, res);
      case 'tsa':
        return serveTimestamp(ctx, req, res);
      case 'device.wiped':
        return deviceWiped(ctx, req, res);
    }
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
  if (options.tsa) log(`TSA ${options.tsa.certificate.subject.replace(/\n/g, ', ')} at /v1/tsa`);
  // A file in DATA/crl/ that is not a CRL stops the start here, not at the first enrolment.
  const crlCount = loadCrls(options.dataDir).length;
  if (crlCount > 0) log(`${crlCount} CRL(s) in ${CRL_DIR}/ checked at enrolment`);
  const backend = options.store
    ? localBackend(options.store, limits)
    : await openRelayBackend(options.dataDir, options.db, limits, log);
  const store = backend.store;
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
  const push = new PushHub(
    backend.auth,
    store,
    limits.maxPushConnections,
    limits.maxPushSocketsPerDevice,
    log,
  );
  await backend.onMail((recipient, cursor) => push.notify(recipient, cursor));
  const guards = new AbuseGuards(limits);
  const relay = new Relay({
    store,
    identity,
    sodium,
    limits,
    log,
    trustedCas,
    dataDir: options.dataDir,
    updatesDir: options.updatesDir ?? join(options.dataDir, 'updates'),
    auth: backend.auth,
    uploads: backend.uploads,
    mailCompleted: (recipient, cursor) => backend.mailCompleted(recipient, cursor),
    push,
    guards,
    ...(options.tsa ? { tsa: options.tsa } : {}),
  });
  const expiry = new UploadExpiry(store, limits, log);
  await expiry.sweep();
  expiry.start();

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
  guards.attach(server);
  server.on('request', (req, res) => {
    void relay.handle(req, res);
  });
  server.on('upgrade', (req, socket, head) => push.upgrade(req, socket, head));
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
        expiry.stop();
        push.closeAll();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await backend.close();
      })();
      return closed;
    },
  };
}
