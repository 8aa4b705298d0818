import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { ErrorCode } from '../../../shared/contract/errors';
import type { ReleasePayload } from '../../../shared/it/release-manifest';
import { signedFileNamed } from './metadata-match';
import { UpdateError } from './update-errors';

/**
 * The downloaded file against IT's manifest, read again from disk just before install: its
 * size and SHA-512 must be the signed ones. electron-updater checked the hash as it downloaded;
 * this check is ours, against the signed value, and covers the file sitting in the cache since.
 * `signedName` is the name the download was for (the cache may store it under its own name).
 */
export async function checkDownloadedFile(
  release: ReleasePayload,
  path: string,
  signedName: string = basename(path),
): Promise<void> {
  const signed = signedFileNamed(release, signedName);
  const bad = (why: string) => new UpdateError(ErrorCode.UpdateBadFile, `${signed.name}: ${why}`);
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    throw bad('the downloaded file is gone');
  }
  if (size !== signed.size) throw bad(`size ${size} is not the signed ${signed.size}`);
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  if (hash.digest('base64') !== signed.sha512) throw bad('sha512 is not the signed one');
}
