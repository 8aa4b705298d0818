import type Database from 'better-sqlite3-multiple-ciphers';
import type { Directory } from '../../../../shared/sync/relay-protocol';
import type { Sodium } from '../../vault';
import type { RefusedDevice } from './identity-trust';
import type { PendingPdfText, VaultRepository } from '../../vault';

/**
 * What every part of the sync store works on, in one explicit object per unlocked vault:
 * the vault's database and repository, libsodium, and the only in-memory state the store
 * keeps (the parsed directory). Every part is plain functions over this context, so a
 * part's state is never a closure variable, and a test builds one over a real vault database.
 *
 * The parts run in the vault worker: every secret (device keys, prekeys) and every
 * plaintext stays in this thread and in the encrypted vault. The caller (the sync engine on
 * the core's thread) moves only ciphertext between the relay and the worker operations, so a
 * relay or a network adversary never meets a key, and the main thread never meets plaintext
 * it did not ask for. Each operation is one transaction: an outbox entry and its envelope, or
 * a received item, its seen-set entry and its audit line, are stored together or not at all.
 */

export type Db = InstanceType<typeof Database>;

/** The directory as last verified and stored, parsed once per serial (directory.ts). */
export interface DirectoryState {
  /** The certified view (store/identity-trust.ts) and the devices it refused. */
  parsed: {
    serial: number;
    dir: Directory;
    refused: readonly RefusedDevice[];
  } | null;
}

export interface SyncStoreContext {
  readonly db: Db;
  readonly repo: VaultRepository;
  readonly sodium: Sodium;
  /** Indexes the text of PDFs a receive stored, after its transaction (the vault's pdf.js step). */
  readonly indexPdfs: (pdfs: readonly PendingPdfText[]) => Promise<void>;
  readonly directory: DirectoryState;
  /** Safety-number digits by side (contact-safety.ts): computed once per key set, not per round. */
  readonly safetyDigits: Map<string, string>;
}

export function createSyncStoreContext(
  vault: Omit<SyncStoreContext, 'directory' | 'safetyDigits'>,
): SyncStoreContext {
  return { ...vault, directory: { parsed: null }, safetyDigits: new Map() };
}

/** A view of a SQLite blob (no copy): for public values only; secrets are copied (`secretCopy`). */
export const u8 = (b: Buffer | Uint8Array) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
/** A copy the caller owns and zeroes. */
export const secretCopy = (b: Buffer | Uint8Array) => new Uint8Array(b);
export const fromBase64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
export const toBase64 = (b: Buffer | Uint8Array) => Buffer.from(b).toString('base64');

/** "Name <address>", or the address alone. */
export function partyOf(name: string, address: string): string {
  return name ? `${name} <${address}>` : address;
}
