import { ErrorCode } from '../../../shared/contract/errors';
import {
  IT_DOCUMENT_TYPES,
  ItDocument,
  RootPayload,
  type ItDocumentType,
  type ItRole,
} from '../../../shared/it/it-document';
import { fromB64, keyIdOf, signedBytes, type Sodium } from './it-crypto';
import { ItError } from './it-errors';

/**
 * Verification of it-signed-v1 documents (docs/protocols/it-signed-v1.md). The order is the
 * security property: the envelope's shape, then the signatures against the role's keys in the
 * trusted root, and only then the fields an attacker could otherwise choose (type, expiry,
 * version). Each refusal is its own code, so a tampered file, a missing signature and a
 * foreign root read differently to IT.
 */

/** A root the workstation trusts: pinned in the build, or reached from it by verified rotations. */
export interface TrustedRoot {
  readonly payload: RootPayload;
  /** The document as received, kept so a restart can re-verify the chain from the pinned root. */
  readonly document: ItDocument;
}

/** What a verified document proved: its payload and who signed it. */
export interface Verified {
  readonly signed: ItDocument['signed'];
  readonly validKeyIds: readonly string[];
  readonly threshold: number;
}

/** Parses untrusted text or data into the envelope; `E_IT_MALFORMED` otherwise. */
export function parseItDocument(input: string | unknown): ItDocument {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch {
      throw new ItError(ErrorCode.ItMalformed, 'not JSON');
    }
  }
  const parsed = ItDocument.safeParse(raw);
  if (!parsed.success) throw new ItError(ErrorCode.ItMalformed, 'not an IT-signed document');
  return parsed.data;
}

/**
 * Checks `doc`'s signatures against `role` in `root`: every signature by a key of the role must
 * verify (one that does not means the bytes changed after that holder signed), and at least
 * `threshold` distinct keys must have signed. Signatures by keys outside the role are ignored
 * unless nothing else signed, which means the document was made under another root.
 */
export function checkSignatures(s: Sodium, doc: ItDocument, root: RootPayload, role: ItRole): Verified {
  const { keyids, threshold } = root.roles[role];
  let message: Uint8Array;
  try {
    message = signedBytes(s, doc.signed);
  } catch {
    throw new ItError(ErrorCode.ItMalformed, 'the signed part has no canonical JSON form');
  }
  const valid = new Set<string>();
  let foreign = 0;
  for (const { keyid, sig } of doc.signatures) {
    const key = root.keys[keyid];
    if (!key || !keyids.includes(keyid)) {
      foreign++;
      continue;
    }
    const ok = s.crypto_sign_verify_detached(fromB64(s, sig), message, fromB64(s, key.public));
    if (!ok)
      throw new ItError(
        ErrorCode.ItBadSignature,
        `the signature of key ${keyid.slice(0, 16)}… does not match`,
      );
    valid.add(keyid);
  }
  if (valid.size === 0 && foreign > 0)
    throw new ItError(
      ErrorCode.ItUnknownRoot,
      `signed by ${foreign} key(s) this workstation's root does not know`,
    );
  if (valid.size < threshold)
    throw new ItError(
      ErrorCode.ItThreshold,
      `${valid.size} of the ${threshold} signatures the ${role} role needs`,
    );
  return { signed: doc.signed, validKeyIds: [...valid], threshold };
}

function expectType(doc: ItDocument, type: ItDocumentType): void {
  if (doc.signed.type !== type)
    throw new ItError(ErrorCode.ItMalformed, `a ${doc.signed.type}, not a ${type}`);
}

function notExpired(expires: string, now: Date, what: string): void {
  if (Date.parse(expires) <= now.getTime())
    throw new ItError(ErrorCode.ItExpired, `the ${what} expired at ${expires}`);
}

/** Reads a root document's payload (shape and key ids checked: each id is its key's hash). */
export function rootPayloadOf(s: Sodium, doc: ItDocument): RootPayload {
  expectType(doc, IT_DOCUMENT_TYPES.root);
  const parsed = RootPayload.safeParse(doc.signed);
  if (!parsed.success) throw new ItError(ErrorCode.ItMalformed, 'not a valid root');
  for (const [id, key] of Object.entries(parsed.data.keys)) {
    const pub = fromB64(s, key.public);
    if (pub.length !== 32 || keyIdOf(s, pub) !== id)
      throw new ItError(ErrorCode.ItMalformed, 'a key id is not the hash of its key');
  }
  return parsed.data;
}

/** The pinned root: its own root role must have signed it (no expiry check: pinned by the build). */
export function trustPinnedRoot(s: Sodium, doc: ItDocument): TrustedRoot {
  const payload = rootPayloadOf(s, doc);
  checkSignatures(s, doc, payload, 'root');
  return { payload, document: doc };
}

/**
 * One root rotation, as TUF does it: the next root must be signed by the threshold of the
 * trusted root's root role and by the threshold of its own, and its version must be exactly one
 * more. Intermediate roots may have expired; the root finally used must not (`verifyPayload`).
 */
export function rotateRoot(s: Sodium, trusted: TrustedRoot, doc: ItDocument): TrustedRoot {
  expectType(doc, IT_DOCUMENT_TYPES.root);
  checkSignatures(s, doc, trusted.payload, 'root');
  const payload = rootPayloadOf(s, doc);
  checkSignatures(s, doc, payload, 'root');
  if (payload.version <= trusted.payload.version)
    throw new ItError(
      ErrorCode.ItRollback,
      `root version ${payload.version} is not above ${trusted.payload.version}`,
    );
  if (payload.version !== trusted.payload.version + 1)
    throw new ItError(
      ErrorCode.ItMalformed,
      `root version ${payload.version} skips versions after ${trusted.payload.version}`,
    );
  return { payload, document: doc };
}

/**
 * A document of a non-root type under the trusted root: signatures by the role's threshold,
 * the root itself not expired, then the document's type and expiry.
 */
export function verifyPayload(
  s: Sodium,
  trusted: TrustedRoot,
  doc: ItDocument,
  type: ItDocumentType,
  role: ItRole,
  now: Date,
): Verified {
  const verified = checkSignatures(s, doc, trusted.payload, role);
  expectType(doc, type);
  notExpired(trusted.payload.expires, now, `root (version ${trusted.payload.version})`);
  notExpired(doc.signed.expires, now, `${type} version ${doc.signed.version}`);
  return verified;
}
