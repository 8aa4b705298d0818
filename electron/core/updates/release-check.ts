import { ErrorCode } from '../../../shared/contract/errors';
import { IT_DOCUMENT_TYPES, type ItDocument } from '../../../shared/it/it-document';
import { compareAppVersions, ReleasePayload } from '../../../shared/it/release-manifest';
import { ItError, verifyPayload, type Sodium, type TrustedRoot } from '../it-signing';
import { inRollout } from './rollout';
import { UpdateError } from './update-errors';

/**
 * Whether a signed release manifest may be acted on by this workstation. The order is the
 * security property: IT's signatures by the `release` threshold (and expiry) first, then the
 * manifest's own fields: replay, channel, downgrade, and whether this workstation is offered it.
 */

/** A manifest that passed the signatures and its schema. */
export function verifyRelease(s: Sodium, root: TrustedRoot, doc: ItDocument, now: Date): ReleasePayload {
  verifyPayload(s, root, doc, IT_DOCUMENT_TYPES.release, 'release', now);
  const parsed = ReleasePayload.safeParse(doc.signed);
  if (!parsed.success)
    throw new ItError(ErrorCode.ItMalformed, 'signed, but not a release manifest this version understands');
  return parsed.data;
}

/** What the workstation knows when it judges a release. */
export interface ReleaseContext {
  /** The policy's `updates.channel`. */
  readonly channel: string;
  readonly installedVersion: string;
  /** The highest manifest version accepted before, and the canonical hash of that manifest. */
  readonly lastManifest: { readonly version: number; readonly digest: string } | null;
  /** This manifest's canonical hash (to tell a replay of the same one from a forged twin). */
  readonly digest: string;
  readonly deviceId: string;
  readonly missionId: string | null;
}

/** The verdict on a verified manifest: `update` (offer it), or `current` (nothing newer). */
export type ReleaseVerdict = 'update' | 'current';

/** Throws an `UpdateError`/`ItError` with the reason, or says whether to offer the update. */
export function judgeRelease(s: Sodium, r: ReleasePayload, ctx: ReleaseContext): ReleaseVerdict {
  const last = ctx.lastManifest;
  if (last && (r.version < last.version || (r.version === last.version && ctx.digest !== last.digest)))
    throw new ItError(
      ErrorCode.ItRollback,
      `release manifest version ${r.version} is older than version ${last.version} already seen`,
    );
  if (r.channel !== ctx.channel)
    throw new UpdateError(
      ErrorCode.UpdateWrongChannel,
      `the manifest is for channel '${r.channel}', the policy sets '${ctx.channel}'`,
    );
  const mission = ctx.missionId === null ? undefined : r.missions[ctx.missionId];
  const order = compareAppVersions(r.appVersion, ctx.installedVersion);
  if (order === 0) return 'current';
  if (order < 0)
    throw new UpdateError(
      ErrorCode.UpdateDowngrade,
      `release ${r.appVersion} is older than the installed ${ctx.installedVersion}`,
    );
  if (mission !== undefined) {
    if (mission !== r.appVersion)
      throw new UpdateError(
        ErrorCode.UpdateNotOffered,
        `this mission's target version is ${mission}, not ${r.appVersion}`,
      );
    return 'update';
  }
  if (!inRollout(s, ctx.deviceId, r.rollout.salt, r.rollout.percentage))
    throw new UpdateError(
      ErrorCode.UpdateNotOffered,
      `release ${r.appVersion} is rolled out to ${r.rollout.percentage} % of workstations, not yet this one`,
    );
  return 'update';
}
