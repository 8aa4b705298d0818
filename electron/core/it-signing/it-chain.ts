import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import { IT_DOCUMENT_TYPES, type ItDocument } from '../../../shared/it/it-document';
import { PolicyPayload } from '../../../shared/it/policy-document';
import { ReleasePayload } from '../../../shared/it/release-manifest';
import type { Sodium } from './it-crypto';
import { ItError } from './it-errors';
import { parseItDocument, rotateRoot, trustPinnedRoot, verifyPayload, type TrustedRoot } from './it-verify';

/** The file name of the root pinned in the build (`resources/it-root.json`). */
export const PINNED_ROOT_FILE = 'it-root.json';

/** The shipped `resources/it-root.json`, from source or from a bundle in dist/<name>/; else undefined. */
export function defaultItRootPath(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'resources', PINNED_ROOT_FILE);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

/** The pinned root, then each rotation in order: the root in force at the end. */
export function walkRoots(s: Sodium, pinned: ItDocument, rotations: readonly ItDocument[]): TrustedRoot {
  let trusted = trustPinnedRoot(s, pinned);
  for (const doc of rotations) trusted = rotateRoot(s, trusted, doc);
  return trusted;
}

/** A verified policy's payload, its fields checked by the policy schema after the signatures. */
export function verifyPolicy(s: Sodium, trusted: TrustedRoot, doc: ItDocument, now: Date): PolicyPayload {
  verifyPayload(s, trusted, doc, IT_DOCUMENT_TYPES.policy, 'policy', now);
  const parsed = PolicyPayload.safeParse(doc.signed);
  if (!parsed.success)
    throw new ItError(ErrorCode.ItMalformed, 'signed, but not a policy this version understands');
  return parsed.data;
}

/** What `embassy it verify --json` prints. */
export type ItVerifyReport =
  | {
      readonly ok: true;
      readonly type: string;
      readonly version: number;
      readonly expires: string;
      readonly rootVersion: number;
      readonly validSignatures: number;
      readonly threshold: number;
      /** False when no root was given or pinned and a root was checked against itself only. */
      readonly anchored: boolean;
    }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

/**
 * Checks one document against roots given as text (the first trusted as pinned, the rest as
 * rotations). A root document beyond the last given root is checked as the next rotation; with
 * no root at all, a root is checked against its own keys and reported as not anchored.
 */
export function verifyItText(
  s: Sodium,
  text: string,
  rootTexts: readonly string[],
  now: Date,
): ItVerifyReport {
  try {
    const doc = parseItDocument(text);
    const roots = rootTexts.map((t) => parseItDocument(t));
    if (doc.signed.type === IT_DOCUMENT_TYPES.root) {
      const [pinned, ...rest] = roots;
      const anchored = pinned !== undefined;
      const base = anchored ? walkRoots(s, pinned, rest) : undefined;
      const root =
        base && doc.signed.version > base.payload.version
          ? rotateRoot(s, base, doc)
          : trustPinnedRoot(s, doc);
      const { keyids, threshold } = root.payload.roles.root;
      return {
        ok: true,
        type: doc.signed.type,
        version: doc.signed.version,
        expires: doc.signed.expires,
        rootVersion: root.payload.version,
        validSignatures: doc.signatures.filter((x) => keyids.includes(x.keyid)).length,
        threshold,
        anchored,
      };
    }
    const [pinned, ...rest] = roots;
    if (!pinned) throw new ItError(ErrorCode.ItNoRoot, 'no root given and none pinned in this build');
    const trusted = walkRoots(s, pinned, rest);
    const role = doc.signed.type === IT_DOCUMENT_TYPES.release ? 'release' : 'policy';
    if (role === 'release') {
      verifyPayload(s, trusted, doc, IT_DOCUMENT_TYPES.release, 'release', now);
      if (!ReleasePayload.safeParse(doc.signed).success)
        throw new ItError(
          ErrorCode.ItMalformed,
          'signed, but not a release manifest this version understands',
        );
    } else verifyPolicy(s, trusted, doc, now);
    const { keyids, threshold } = trusted.payload.roles[role];
    return {
      ok: true,
      type: doc.signed.type,
      version: doc.signed.version,
      expires: doc.signed.expires,
      rootVersion: trusted.payload.version,
      validSignatures: doc.signatures.filter((x) => keyids.includes(x.keyid)).length,
      threshold,
      anchored: true,
    };
  } catch (e) {
    if (e instanceof CoreError) return { ok: false, error: { code: e.code, message: e.message } };
    throw e;
  }
}
