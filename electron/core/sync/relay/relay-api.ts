import type { AgentOptions } from 'node:https';
import type {
  Directory,
  DirectoryChainStep,
  EnrollRequest,
  EnrollResponse,
  HealthResponse,
  InboxItem,
  InboxResponse,
  MailUploadStatus,
  SignedPrekey,
} from '../../../../shared/sync/relay-protocol';

/**
 * The workstation's client of the HQ relay (`hq/`, protocol in shared/sync/relay-protocol/),
 * as its callers see it. Every failure is a `RelayClientError` with a stable `code` from a
 * closed list (`RelayClientErrorCode`: one of the relay's codes, or a link code such as
 * `E_NETWORK`, `E_TIMEOUT`, `E_PINNING`, `E_PROTOCOL`, `E_ABORTED`; a relay's code outside the
 * list is read as `E_PROTOCOL`) and `retryable`.
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

/** A device's calls to the relay, on a session it keeps (signed-challenge login, re-login). */
export interface DeviceRelay {
  publishPrekeys(prekeys: readonly SignedPrekey[]): Promise<void>;
  /**
   * Fetches the directory, verifies HQ's signature (`E_BAD_SIGNATURE`) and parses it; with
   * `since` (the held serial), also the versions published in between (directory-chain.ts).
   */
  directory(
    hqSignPublicKey: Uint8Array,
    verify: (message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array) => boolean,
    since?: number | null,
  ): Promise<{ directory: Directory; bytes: Uint8Array; steps?: DirectoryChainStep[] }>;
  /** The IT-signed policy file HQ published, unverified (the policy service checks it); null if none. */
  policy?(): Promise<string | null>;
  /** Stores one audit batch sealed to HQ's audit key (optional: test relays may lack it). */
  uploadAudit?(batch: { first: number; count: number; sealed: string }): Promise<void>;
  upload(
    item: { recipient: string; envelopeId: string; bytes: Uint8Array; sha256?: string },
    onProgress?: (sent: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<MailUploadStatus>;
  inbox(after?: number, limit?: number, signal?: AbortSignal): Promise<InboxResponse>;
  download(item: InboxItem, sink: DownloadSink, signal?: AbortSignal): Promise<void>;
  ack(itemId: string, signal?: AbortSignal): Promise<void>;
  push(onMail: (cursor: number) => void, onClose: (err?: Error) => void): { close(): void };
  /** Tells HQ this device's vault is being wiped (a notice its key signed): HQ revokes it. */
  reportWiped?(notice: { wipedAt: number; signature: string }, signal?: AbortSignal): Promise<void>;
}

export interface RelayClient {
  health(): Promise<HealthResponse>;
  enroll(req: EnrollRequest): Promise<EnrollResponse>;
  withDevice(device: DeviceSigner): DeviceRelay;
  /** Closes idle keep-alive sockets. */
  close(): void;
}
