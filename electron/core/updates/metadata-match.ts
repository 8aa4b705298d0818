import { ErrorCode } from '../../../shared/contract/errors';
import type { ReleaseFile, ReleasePayload } from '../../../shared/it/release-manifest';
import { UpdateError } from './update-errors';

/**
 * electron-updater's metadata (`latest*.yml`, unsigned) against IT's signed manifest, before
 * any download: the version must be the signed one, and every file it would fetch must be a
 * plain name the manifest lists with the same size and sha512. electron-updater then downloads
 * only that name and checks that sha512 itself, so it can only ever fetch bytes IT signed.
 */

/** The part of electron-updater's `UpdateInfo` that says what would be downloaded. */
export interface UpdateMetadata {
  readonly version: string;
  readonly files: readonly { readonly url: string; readonly size?: number; readonly sha512: string }[];
  readonly path?: string;
  readonly sha512?: string;
}

function mismatch(message: string): UpdateError {
  return new UpdateError(ErrorCode.UpdateMismatch, message);
}

/** The manifest's entry for `name`, refusing anything that is not a bare file name. */
export function signedFileNamed(release: ReleasePayload, name: string): ReleaseFile {
  const file = release.files.find((f) => f.name === name);
  if (!file) throw mismatch(`'${name.slice(0, 80)}' is not a file of the signed release`);
  return file;
}

export function matchMetadata(release: ReleasePayload, info: UpdateMetadata): void {
  if (info.version !== release.appVersion)
    throw mismatch(`the server offers ${String(info.version).slice(0, 32)}, IT signed ${release.appVersion}`);
  if (!Array.isArray(info.files) || info.files.length === 0) throw mismatch('the server lists no files');
  for (const f of info.files) {
    const signed = signedFileNamed(release, f.url);
    if (f.size !== signed.size)
      throw mismatch(`${signed.name}: size ${f.size} is not the signed ${signed.size}`);
    if (f.sha512 !== signed.sha512) throw mismatch(`${signed.name}: sha512 is not the signed one`);
  }
  // The legacy top-level fields name a file too; they must agree when present.
  if (info.path !== undefined) {
    const signed = signedFileNamed(release, info.path);
    if (info.sha512 !== undefined && info.sha512 !== signed.sha512)
      throw mismatch(`${signed.name}: sha512 is not the signed one`);
  }
}
