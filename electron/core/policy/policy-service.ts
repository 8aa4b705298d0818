import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ManagedSetting, PolicyStatus } from '../../../shared/contract/policy-calls';
import { ErrorCode } from '../../../shared/contract/errors';
import { canonicalJson } from '../../../shared/encoding/canonical-json';
import { IT_DOCUMENT_TYPES, type ItDocument } from '../../../shared/it/it-document';
import type { PolicyPayload } from '../../../shared/it/policy-document';
import {
  ItError,
  itSodium,
  parseItDocument,
  rotateRoot,
  trustPinnedRoot,
  verifyPolicy,
  walkRoots,
  type Sodium,
  type TrustedRoot,
} from '../it-signing';
import {
  EMPTY_STATE,
  policyStatePath,
  readPolicyState,
  writePolicyState,
  type StoredPolicyState,
} from './policy-state';

export interface PolicyServiceOptions {
  readonly profileDir: string;
  /** The root pinned in the build (`resources/it-root.json`); absent: no policy can be accepted. */
  readonly pinnedRootPath: string | undefined;
  readonly now?: () => number;
}

/** The policy in force, verified, with the root it was verified under. */
interface InForce {
  readonly pinned: TrustedRoot | null;
  readonly root: TrustedRoot | null;
  readonly stored: StoredPolicyState;
  readonly policy: PolicyPayload | null;
}

/** Trust material a policy adds for signing and verification. */
export interface PolicyTrust {
  readonly anchors: readonly X509Certificate[];
  readonly crls: readonly Uint8Array[];
}

export interface PolicyService {
  status(): Promise<PolicyStatus>;
  /** Verifies and applies; throws an `ItError` (the old policy stays) or answers the new status. */
  import(text: string): Promise<PolicyStatus & { unchanged: boolean }>;
  /** The policy payload in force, or null. */
  current(): Promise<PolicyPayload | null>;
  /** The IT root in force (pinned, or reached by rotations), for other IT documents (releases). */
  root(): Promise<TrustedRoot | null>;
  trust(): Promise<PolicyTrust>;
}

/** What the policy decides; the TSA only when it names one (else the officer's setting stands). */
const managedBy = (p: PolicyPayload | null): ManagedSetting[] =>
  p
    ? ['idleLock', 'pkcs11Module', 'passphraseProfiles', 'escrow', ...(p.tsaUrl ? (['tsa'] as const) : [])]
    : [];

/**
 * IT's policy on this workstation. `import` runs every check in memory first (rotations from
 * the root in force, then the policy's signatures, expiry, version and content), and only then
 * replaces the stored state in one atomic write and swaps the in-memory copy: a refused file
 * changes nothing. Imports are serialised, so two at once cannot both pass the version check.
 */
export function createPolicyService(options: PolicyServiceOptions): PolicyService {
  const path = policyStatePath(options.profileDir);
  const now = () => new Date((options.now ?? Date.now)());
  let loaded: Promise<InForce> | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  async function pinnedRoot(s: Sodium): Promise<TrustedRoot | null> {
    if (!options.pinnedRootPath) return null;
    return trustPinnedRoot(s, parseItDocument(await readFile(options.pinnedRootPath, 'utf8')));
  }

  /** The stored state re-verified from the pinned root; a state that fails is not in force. */
  async function load(): Promise<InForce> {
    const s = await itSodium();
    const pinned = await pinnedRoot(s);
    if (!pinned) return { pinned: null, root: null, stored: EMPTY_STATE, policy: null };
    let stored: StoredPolicyState | undefined;
    try {
      stored = await readPolicyState(path);
    } catch {
      stored = undefined;
    }
    if (!stored) return { pinned, root: pinned, stored: EMPTY_STATE, policy: null };
    try {
      const root = walkRoots(s, pinned.document, stored.rotations);
      // Expiry is judged at import; a policy that expired since stays in force until replaced.
      const at = stored.appliedAt === null ? now() : new Date(stored.appliedAt);
      if (stored.policyRotations > stored.rotations.length) throw new Error('inconsistent state');
      const policyRoot = walkRoots(s, pinned.document, stored.rotations.slice(0, stored.policyRotations));
      const policy = stored.policy ? verifyPolicy(s, policyRoot, stored.policy, at) : null;
      return { pinned, root, stored, policy };
    } catch {
      return { pinned, root: pinned, stored: EMPTY_STATE, policy: null };
    }
  }

  const inForce = () => (loaded ??= load());

  function statusOf(f: InForce): PolicyStatus {
    const expired = f.policy !== null && Date.parse(f.policy.expires) <= now().getTime();
    return {
      state: f.policy === null ? 'none' : expired ? 'expired' : 'in-force',
      rootVersion: f.root?.payload.version ?? null,
      policy: f.policy,
      appliedAt: f.policy ? f.stored.appliedAt : null,
      managed: managedBy(f.policy),
    };
  }

  function documentsOf(text: string): ItDocument[] {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ItError(ErrorCode.ItMalformed, 'not JSON');
    }
    const list = Array.isArray(raw) ? raw : [raw];
    if (list.length === 0 || list.length > 65)
      throw new ItError(ErrorCode.ItMalformed, 'no documents, or too many');
    return list.map((d) => parseItDocument(d));
  }

  async function apply(text: string): Promise<PolicyStatus & { unchanged: boolean }> {
    const s = await itSodium();
    const current = await inForce();
    if (!current.root) throw new ItError(ErrorCode.ItNoRoot, 'this build has no pinned IT root');
    let root = current.root;
    const rotations = [...current.stored.rotations];
    let policyDoc: ItDocument | null = null;
    for (const doc of documentsOf(text)) {
      if (policyDoc) throw new ItError(ErrorCode.ItMalformed, 'the policy must come last');
      if (doc.signed.type === IT_DOCUMENT_TYPES.root) {
        // A root already passed (a bundle carries the whole chain) is skipped if it is the same one.
        if (doc.signed.version <= root.payload.version && isKnownRoot(doc, current.pinned, rotations))
          continue;
        root = rotateRoot(s, root, doc);
        rotations.push(doc);
      } else policyDoc = doc;
    }
    const rotated = rotations.length !== current.stored.rotations.length;
    let policy = current.policy;
    let policyStored = current.stored.policy;
    let unchanged = !rotated;
    if (policyDoc) {
      const next = verifyPolicy(s, root, policyDoc, now());
      const held = current.policy;
      if (held && next.version < held.version)
        throw new ItError(
          ErrorCode.ItRollback,
          `policy version ${next.version} is older than ${held.version} in force`,
        );
      if (held && next.version === held.version) {
        if (canonicalJson(next) !== canonicalJson(held))
          throw new ItError(ErrorCode.ItRollback, `another policy already has version ${held.version}`);
      } else {
        checkContent(next);
        policy = next;
        policyStored = policyDoc;
        unchanged = false;
      }
    }
    if (unchanged) return { ...statusOf(current), unchanged: true };
    const stored: StoredPolicyState = {
      rotations,
      policy: policyStored,
      appliedAt: policy === current.policy ? current.stored.appliedAt : now().getTime(),
      policyRotations: policy === current.policy ? current.stored.policyRotations : rotations.length,
    };
    await writePolicyState(path, stored);
    const next: InForce = { pinned: current.pinned, root, stored, policy };
    loaded = Promise.resolve(next);
    return { ...statusOf(next), unchanged: false };
  }

  return {
    status: async () => statusOf(await inForce()),
    import(text) {
      const run = queue.then(() => apply(text));
      queue = run.catch(() => undefined);
      return run;
    },
    current: async () => (await inForce()).policy,
    root: async () => (await inForce()).root,
    async trust() {
      const p = (await inForce()).policy;
      if (!p) return { anchors: [], crls: [] };
      return {
        anchors: p.signing.trustAnchors.map((b64) => new X509Certificate(Buffer.from(b64, 'base64'))),
        crls: p.signing.crls.map((b64) => new Uint8Array(Buffer.from(b64, 'base64'))),
      };
    },
  };
}

/** True when `doc` is the pinned root or a rotation already accepted, byte for byte in meaning. */
function isKnownRoot(doc: ItDocument, pinned: TrustedRoot | null, rotations: readonly ItDocument[]): boolean {
  const same = (a: ItDocument) => canonicalJson(a.signed) === canonicalJson(doc.signed);
  return rotations.some(same) || (pinned !== null && same(pinned.document));
}

/** Signed content the workstation cannot use is refused as a whole, before anything changes. */
function checkContent(p: PolicyPayload): void {
  for (const b64 of p.signing.trustAnchors) {
    try {
      new X509Certificate(Buffer.from(b64, 'base64'));
    } catch {
      throw new ItError(ErrorCode.ItMalformed, 'a trust anchor in the policy is not a certificate');
    }
  }
  for (const b64 of p.signing.crls)
    if (Buffer.from(b64, 'base64')[0] !== 0x30)
      throw new ItError(ErrorCode.ItMalformed, 'a CRL in the policy is not DER');
}
