import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AppVersion,
  ReleaseFileName,
  type ReleaseFile,
  type ReleasePayload,
} from '../../../shared/it/release-manifest';
import { IT_DOCUMENT_TYPES } from '../../../shared/it/it-document';

/**
 * `embassy it release`: the unsigned release manifest for electron-builder's output folder. The
 * version and file names come from its `latest*.yml`; each size and sha512 is measured from the
 * file itself and must agree with what the yml says, so IT signs the bytes it will ship.
 */
export interface ReleaseBuildOptions {
  readonly dir: string;
  readonly channel: string;
  readonly manifestVersion: number;
  readonly expires: string;
  readonly rolloutPercentage: number;
  readonly salt: string;
  readonly missions: Record<string, string>;
}

async function sha512Of(path: string): Promise<string> {
  const h = createHash('sha512');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('base64');
}

/** `version`, and each `url` with its `sha512`, from electron-builder's (flat, known) yml. */
function readYml(text: string): { version: string; files: { url: string; sha512: string | undefined }[] } {
  const version = /^version:\s*['"]?([^'"\s]+)['"]?\s*$/m.exec(text)?.[1];
  if (!version) throw new Error('no version in the yml');
  const files: { url: string; sha512: string | undefined }[] = [];
  const entry = /^\s*-\s*url:\s*['"]?([^'"\s]+)['"]?\s*$((?:\n\s{4}\S.*$)*)/gm;
  for (let m = entry.exec(text); m; m = entry.exec(text)) {
    const sha = /sha512:\s*['"]?([A-Za-z0-9+/=]+)/.exec(m[2] ?? '')?.[1];
    files.push({ url: m[1] ?? '', sha512: sha });
  }
  return { version, files };
}

export async function buildReleaseManifest(o: ReleaseBuildOptions): Promise<ReleasePayload> {
  const ymls = (await readdir(o.dir)).filter((n) => /^latest(-[a-z0-9]+)?\.yml$/.test(n)).sort();
  if (ymls.length === 0) throw new Error(`no latest*.yml in ${o.dir}`);
  let appVersion: string | undefined;
  const files = new Map<string, ReleaseFile>();
  for (const yml of ymls) {
    const parsed = readYml(await readFile(join(o.dir, yml), 'utf8'));
    if (appVersion !== undefined && parsed.version !== appVersion)
      throw new Error(`${yml} is for ${parsed.version}, another yml for ${appVersion}`);
    appVersion = parsed.version;
    for (const f of parsed.files) {
      if (!ReleaseFileName.safeParse(f.url).success)
        throw new Error(`${yml}: '${f.url}' is not a plain file name`);
      const path = join(o.dir, f.url);
      const sha512 = await sha512Of(path);
      if (f.sha512 !== undefined && f.sha512 !== sha512)
        throw new Error(`${f.url}: sha512 differs from ${yml}`);
      files.set(f.url, { name: f.url, size: (await stat(path)).size, sha512 });
    }
  }
  if (!AppVersion.safeParse(appVersion).success)
    throw new Error(`version ${appVersion} is not MAJOR.MINOR.PATCH`);
  return {
    type: IT_DOCUMENT_TYPES.release,
    version: o.manifestVersion,
    expires: o.expires,
    channel: o.channel,
    appVersion: appVersion as string,
    rollout: { percentage: o.rolloutPercentage, salt: o.salt },
    missions: o.missions,
    files: [...files.values()],
  };
}
