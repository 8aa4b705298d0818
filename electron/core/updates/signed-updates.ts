import { createHash } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { configureRequestOptionsFromUrl } from 'builder-util-runtime';
import type { BaseUpdater, ProgressInfo, UpdateInfo } from 'electron-updater';
import type { UpdateStatus } from '../../../shared/contract/update-calls';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import { canonicalJson } from '../../../shared/encoding/canonical-json';
import { releaseManifestName, type ReleasePayload } from '../../../shared/it/release-manifest';
import { itSodium, parseItDocument, type TrustedRoot } from '../it-signing';
import { checkDownloadedFile } from './file-check';
import { serveUpdateFolder, type FolderMirror } from './folder-mirror';
import { matchMetadata } from './metadata-match';
import { NodeUpdateHttpExecutor } from './node-http-executor';
import { judgeRelease, verifyRelease } from './release-check';
import { readReleaseState, releaseStatePath, writeReleaseState, type ReleaseState } from './release-state';
import { UpdateError } from './update-errors';

/** Where updates come from: the policy's URL at HQ, or a folder served on loopback. */
export interface UpdateSource {
  readonly kind: 'hq' | 'folder';
  readonly url: string;
  /** The policy's `updates.channel`. */
  readonly channel: string;
  /** SHA-256 (hex) of the HQ certificate (policy `hq.certSha256`); not used for loopback http. */
  readonly pinSha256?: string;
}

export interface SignedUpdatesOptions {
  /** An electron-updater updater (AppImage, deb, NSIS) built by the shell with its app adapter. */
  readonly updater: BaseUpdater;
  readonly profileDir: string;
  /** The IT root in force (pinned, or rotated by policy); null: nothing can be verified. */
  readonly trustedRoot: () => Promise<TrustedRoot | null>;
  /** The policy's update source; null when no policy sets one. */
  readonly policySource: () => Promise<UpdateSource | null>;
  /** The enrolled device id; null before enrolment (a random install id is used instead). */
  readonly deviceId?: () => Promise<string | null>;
  readonly missionId?: () => Promise<string | null>;
  readonly now?: () => number;
}

export interface SignedUpdates {
  status(): UpdateStatus;
  /** Fetches and judges the signed manifest, then lets electron-updater check its metadata. */
  check(source?: UpdateSource): Promise<UpdateStatus>;
  /**
   * The same check with a folder (a USB stick) as the mirror: served on 127.0.0.1 to
   * electron-updater until the next check; the policy's channel still decides.
   */
  checkFolder(dir: string): Promise<UpdateStatus>;
  /** electron-updater downloads (its sha512 check), then ours against the manifest. */
  download(): Promise<UpdateStatus>;
  /** Re-checks the file against the manifest, then electron-updater installs and restarts. */
  install(): Promise<void>;
  dispose(): void;
}

/** The release being acted on and the file electron-updater fetched for it. */
interface Pending {
  release: ReleasePayload;
  file: string | null;
}

/**
 * Signed updates through electron-updater. electron-updater keeps its job (generic provider,
 * download, its own sha512 check, install) with `autoDownload`, `autoInstallOnAppQuit` and
 * `allowDowngrade` off; it is told to act only on what IT's signed manifest allows: the
 * manifest is verified and judged before electron-updater is even asked, its metadata must
 * match the manifest in `isUpdateSupported` (before any download), its staged rollout is
 * replaced by the manifest's, and the downloaded file is checked against the manifest again
 * just before install. Every refusal is an `UpdateError` (or an `ItError`) kept in the status.
 */
export function createSignedUpdates(options: SignedUpdatesOptions): SignedUpdates {
  const { updater } = options;
  const now = () => new Date((options.now ?? Date.now)());
  const statePath = releaseStatePath(options.profileDir);
  let executor: NodeUpdateHttpExecutor | null = null;
  let mirror: FolderMirror | null = null;
  let pending: Pending | null = null;
  let status: UpdateStatus = {
    installedVersion: updater.currentVersion.version,
    channel: null,
    source: null,
    state: 'idle',
    availableVersion: null,
    progress: null,
    refused: null,
  };

  updater.autoDownload = false;
  updater.autoInstallOnAppQuit = false;
  updater.allowDowngrade = false;
  updater.logger = null;
  // The rollout is decided from the signed manifest before electron-updater is asked.
  updater.isUserWithinRollout = () => true;
  updater.isUpdateSupported = (info: UpdateInfo) => {
    if (!pending) throw new UpdateError(ErrorCode.UpdateNotReady, 'no verified release manifest');
    matchMetadata(pending.release, info);
    return true;
  };
  updater.on('download-progress', (p: ProgressInfo) => {
    if (status.state === 'downloading')
      status = { ...status, progress: { percent: p.percent, transferred: p.transferred, total: p.total } };
  });

  const set = (patch: Partial<UpdateStatus>) => (status = { ...status, ...patch });
  const refuse = (e: unknown): never => {
    const err =
      e instanceof CoreError
        ? e
        : new UpdateError(ErrorCode.UpdateUnavailable, 'the update source could not be used');
    set({ state: 'refused', refused: { code: err.code, message: err.message }, progress: null });
    pending = null;
    throw err;
  };

  async function loadState(): Promise<ReleaseState> {
    const s = await itSodium();
    return (
      (await readReleaseState(statePath)) ?? {
        lastManifest: null,
        installId: s.to_hex(s.randombytes_buf(16)),
      }
    );
  }

  async function fetchManifest(source: UpdateSource): Promise<string> {
    const url = new URL(
      releaseManifestName(source.channel),
      source.url.endsWith('/') ? source.url : `${source.url}/`,
    );
    try {
      const text = await executor?.request(
        configureRequestOptionsFromUrl(url.href, { headers: { accept: 'application/json' } }),
      );
      if (!text) throw new Error('empty');
      return text;
    } catch (e) {
      // Absent: the mirror has no release for this channel. Anything else (the pin, the network).
      if ((e as { statusCode?: unknown }).statusCode === 404 || (e as Error).message === 'empty')
        throw new UpdateError(
          ErrorCode.UpdateNoManifest,
          `no signed release manifest for channel '${source.channel}'`,
        );
      throw new UpdateError(ErrorCode.UpdateUnavailable, 'the update source could not be reached');
    }
  }

  async function closeMirror(): Promise<void> {
    const m = mirror;
    mirror = null;
    await m?.close();
  }

  async function checkFolder(dir: string): Promise<UpdateStatus> {
    await closeMirror();
    const policy = await options.policySource();
    if (!policy)
      return refuse(new UpdateError(ErrorCode.UpdateNotConfigured, 'no policy sets an update channel'));
    mirror = await serveUpdateFolder(dir);
    return check({ kind: 'folder', url: mirror.url, channel: policy.channel }, true);
  }

  async function check(given?: UpdateSource, keepMirror = false): Promise<UpdateStatus> {
    if (!keepMirror) await closeMirror();
    pending = null;
    set({ state: 'checking', refused: null, progress: null, availableVersion: null });
    try {
      const source = given ?? (await options.policySource());
      if (!source) throw new UpdateError(ErrorCode.UpdateNotConfigured, 'no policy sets an update URL');
      set({ channel: source.channel, source: source.kind });
      const root = await options.trustedRoot();
      if (!root) throw new UpdateError(ErrorCode.ItNoRoot, 'this build has no pinned IT root');
      executor?.destroy();
      executor = new NodeUpdateHttpExecutor(source.pinSha256);
      (updater as unknown as { httpExecutor: NodeUpdateHttpExecutor }).httpExecutor = executor;
      const s = await itSodium();
      const doc = parseItDocument(await fetchManifest(source));
      const release = verifyRelease(s, root, doc, now());
      const digest = createHash('sha256').update(canonicalJson(doc.signed)).digest('hex');
      const state = await loadState();
      const verdict = judgeRelease(s, release, {
        channel: source.channel,
        installedVersion: status.installedVersion,
        lastManifest: state.lastManifest,
        digest,
        deviceId: (await options.deviceId?.()) ?? state.installId,
        missionId: (await options.missionId?.()) ?? null,
      });
      await writeReleaseState(statePath, { ...state, lastManifest: { version: release.version, digest } });
      if (verdict === 'current') return set({ state: 'current' });
      pending = { release, file: null };
      updater.setFeedURL({ provider: 'generic', url: source.url });
      // electron-updater turns downgrades on when a channel is set: keep them off after any change.
      updater.allowDowngrade = false;
      const result = await updater.checkForUpdates();
      if (!result?.isUpdateAvailable)
        throw new UpdateError(
          ErrorCode.UpdateMismatch,
          'the update server does not offer the signed release',
        );
      return set({ state: 'available', availableVersion: release.appVersion });
    } catch (e) {
      return refuse(e);
    }
  }

  async function download(): Promise<UpdateStatus> {
    const p = pending;
    if (!p || status.state !== 'available')
      throw new UpdateError(ErrorCode.UpdateNotReady, 'check for an update first');
    set({ state: 'downloading', progress: { percent: 0, transferred: 0, total: 0 } });
    let file: string | undefined;
    try {
      [file] = await updater.downloadUpdate();
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ERR_CHECKSUM_MISMATCH')
        return refuse(
          new UpdateError(ErrorCode.UpdateBadFile, 'the downloaded file does not match its sha512'),
        );
      return refuse(e);
    }
    try {
      if (!file) throw new UpdateError(ErrorCode.UpdateBadFile, 'nothing was downloaded');
      await checkDownloadedFile(p.release, file);
    } catch (e) {
      if (file) await unlink(file).catch(() => undefined);
      return refuse(e);
    }
    p.file = file;
    return set({ state: 'verified', progress: null });
  }

  async function install(): Promise<void> {
    const p = pending;
    if (!p?.file || status.state !== 'verified')
      throw new UpdateError(ErrorCode.UpdateNotReady, 'no verified update');
    try {
      await checkDownloadedFile(p.release, p.file);
    } catch (e) {
      await unlink(p.file).catch(() => undefined);
      refuse(e);
    }
    set({ state: 'installing' });
    updater.quitAndInstall(false, true);
  }

  return {
    status: () => status,
    check: (source) => check(source),
    checkFolder,
    download,
    install,
    dispose() {
      void closeMirror();
      executor?.destroy();
      updater.removeAllListeners();
    },
  };
}
