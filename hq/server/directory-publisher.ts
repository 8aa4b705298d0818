import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  DIRECTORY_VERSION,
  directoryChainMessage,
  directoryMessage,
  MAX_DIRECTORY_BYTES,
  MAX_DIRECTORY_CHAIN_STEPS,
  RelayErrorCode,
  type Directory,
  type DirectoryHead,
  type DirectoryOfficer,
  type DirectoryResponse,
} from '../../shared/sync/relay-protocol';
import type { DirectorySnapshot, DirectoryVersion } from '../storage/relay-store';
import { authenticate } from './device-auth';
import { sendJson } from './http-io';
import type { RelayContext } from './relay-context';
import { RelayError } from './relay-error';
import { DECIMAL } from './relay-routes';

/** Approved and revoked devices grouped by officer address, sorted; names from each newest device. */
export function directoryOf(
  snapshot: DirectorySnapshot,
  issuedAt: number,
  previous: DirectoryHead | null = null,
): Directory {
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
      // The token's certification of exactly these keys: clients trust the device on it alone.
      certification: d.enrolmentRequest,
      ...(d.prekey ? { prekey: d.prekey } : {}),
    });
    officers.set(d.officer.address, o);
  }
  return {
    version: DIRECTORY_VERSION,
    serial: snapshot.serial,
    issuedAt,
    previous,
    officers: [...officers.values()].sort((a, b) =>
      a.address < b.address ? -1 : a.address > b.address ? 1 : 0,
    ),
  };
}

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface Published {
  version: DirectoryVersion;
  body: DirectoryResponse;
}

/** How often one request tries again when another instance publishes at the same moment. */
const PUBLISH_ATTEMPTS = 8;

/**
 * `GET /v1/directory[?since=SERIAL]`: the HQ-signed directory, each version a link of the
 * chain the store keeps (directory-chain.ts). A new version is published only when the
 * store's serial moved past the chain's head, and names the head as its previous version;
 * the head's bytes are made again from its recorded time (the same snapshot gives the same
 * bytes and Ed25519 the same signature), so every instance serves one version per serial.
 * With `since`, the answer carries the versions published between SERIAL and this one.
 */
export class DirectoryPublisher {
  /** The last version served, reused while it is the chain's head. */
  private cached: Published | undefined;

  constructor(private readonly ctx: RelayContext) {}

  async handle(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    await authenticate(this.ctx, req);
    const since = sinceOf(url);
    const published = await this.current();
    let body = published.body;
    if (since !== undefined && since < published.version.serial) {
      const steps = await this.ctx.store.directoryChain.steps(
        since,
        published.version.serial,
        MAX_DIRECTORY_CHAIN_STEPS,
      );
      body = { ...body, steps };
    }
    sendJson(res, 200, body);
  }

  private async current(): Promise<Published> {
    const chain = this.ctx.store.directoryChain;
    for (let attempt = 0; attempt < PUBLISH_ATTEMPTS; attempt++) {
      const head = await chain.head();
      const serial = await this.ctx.store.getDirectorySerial();
      if (head && head.serial >= serial) {
        if (this.cached?.version.link === head.link) return this.cached;
        const again = await this.republish(head);
        if (again) return (this.cached = again);
        continue;
      }
      const snapshot = await this.ctx.store.getDirectorySnapshot();
      if (head && snapshot.serial <= head.serial) continue;
      const previous = head ? { serial: head.serial, hash: head.link } : null;
      const next = this.sign(snapshot, Date.now(), previous);
      if (await chain.append(next.version)) return (this.cached = next);
    }
    throw new RelayError(503, RelayErrorCode.Busy, 'the directory is being published; try again');
  }

  /** The head's bytes made again; undefined when the store no longer gives the same ones. */
  private async republish(head: DirectoryVersion): Promise<Published | undefined> {
    const snapshot = await this.ctx.store.getDirectorySnapshot();
    if (snapshot.serial !== head.serial) return undefined;
    const previous = head.previous ? { serial: head.previous.serial, hash: head.previous.link } : null;
    const again = this.sign(snapshot, head.issuedAt, previous);
    if (again.version.digest !== head.digest) {
      // The devices changed without a new serial: never sign two versions under one serial.
      throw new RelayError(500, RelayErrorCode.Internal, 'the directory changed without a new serial');
    }
    return again;
  }

  private sign(snapshot: DirectorySnapshot, issuedAt: number, previous: DirectoryHead | null): Published {
    const bytes = Buffer.from(JSON.stringify(directoryOf(snapshot, issuedAt, previous)), 'utf8');
    if (bytes.length > MAX_DIRECTORY_BYTES) {
      throw new RelayError(500, RelayErrorCode.Internal, 'the directory is larger than the protocol allows');
    }
    const signature = this.ctx.sodium.crypto_sign_detached(
      directoryMessage(bytes),
      this.ctx.identity.signSecretKey,
    );
    const digest = sha256Hex(bytes);
    const link = sha256Hex(directoryChainMessage(previous?.hash ?? null, snapshot.serial, digest));
    return {
      version: {
        serial: snapshot.serial,
        issuedAt,
        digest,
        link,
        ...(previous ? { previous: { serial: previous.serial, link: previous.hash } } : {}),
      },
      body: { directory: bytes.toString('base64'), signature: Buffer.from(signature).toString('base64') },
    };
  }
}

/** The `since` query parameter (a serial), or undefined; anything else is refused. */
function sinceOf(url: URL): number | undefined {
  const keys = [...url.searchParams.keys()];
  if (keys.length === 0) return undefined;
  const since = url.searchParams.get('since');
  if (keys.length !== 1 || since === null || !DECIMAL.test(since)) {
    throw new RelayError(400, RelayErrorCode.BadRequest, 'the directory takes only ?since=SERIAL');
  }
  return Number(since);
}
