import { z } from 'zod';
import { IT_DOCUMENT_TYPES, UtcTime } from './it-document';

/**
 * The signed release manifest's payload (docs/protocols/release-manifest-v1.md): which app
 * version IT releases on which channel, to whom, and the exact bytes of each file. It is what a
 * workstation trusts about an update; electron-updater's `latest*.yml` beside it is unsigned and
 * only has to agree with it. Strict: a field this version does not know is refused.
 */

/** `MAJOR.MINOR.PATCH`, no pre-release part: one total order, compared numerically. */
export const AppVersion = z.string().regex(/^(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})$/);
/** A release channel, the same spelling as the policy's `updates.channel`. */
export const ReleaseChannel = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/);
/** A file name as electron-builder writes it, never a path: no slash, no leading dot. */
export const ReleaseFileName = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._+-]{0,199}$/);
/** SHA-512 in standard base64 (88 characters), as electron-builder's metadata spells it. */
export const Sha512B64 = z
  .string()
  .length(88)
  .regex(/^[A-Za-z0-9+/]{86}==$/);
/** A mission id (the same alphabet as channels). */
export const MissionId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/);

export const ReleaseFile = z
  .object({
    name: ReleaseFileName,
    size: z
      .number()
      .int()
      .min(1)
      .max(4 * 1024 ** 3),
    sha512: Sha512B64,
  })
  .strict();
export type ReleaseFile = z.infer<typeof ReleaseFile>;

export const ReleasePayload = z
  .object({
    type: z.literal(IT_DOCUMENT_TYPES.release),
    /** The manifest's own version: only grows (replay protection), independent of the app's. */
    version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    expires: UtcTime,
    channel: ReleaseChannel,
    appVersion: AppVersion,
    rollout: z
      .object({
        /** 0–100: the share of workstations (not in `missions`) offered the release. */
        percentage: z.number().int().min(0).max(100),
        /** 16 random bytes, hex: a new salt draws a new sample of workstations. */
        salt: z.string().regex(/^[0-9a-f]{32}$/),
      })
      .strict(),
    /** Per-mission target versions (Uptane's director): a listed mission takes exactly its version. */
    missions: z.record(MissionId, AppVersion).refine((m) => Object.keys(m).length <= 512),
    files: z
      .array(ReleaseFile)
      .min(1)
      .max(16)
      .refine((f) => new Set(f.map((x) => x.name)).size === f.length, 'duplicate file name'),
  })
  .strict();
export type ReleasePayload = z.infer<typeof ReleasePayload>;

/** The manifest's file name beside electron-builder's metadata, one per channel. */
export const releaseManifestName = (channel: string) => `embassy-release-${channel}.json`;

/** Compares two `AppVersion`s: negative, zero or positive. */
export function compareAppVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
