import { mkdtempSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpdateSource } from '../../electron/core/updates';
import { startRelay, type RunningRelay } from '../../hq/server/relay-server';
import { releaseManifestName } from '../../shared/it/release-manifest';
import { inDays } from '../fixtures/it-keys';
import {
  artifactBytes,
  debName,
  itFixture,
  latestYml,
  publishRelease,
  workstation,
  type ItFixture,
} from '../fixtures/update-harness';

/**
 * Signed updates against a local HQ (the project's relay on loopback, `/v1/updates/`) and a USB
 * folder (served on loopback by the workstation), with electron-updater's real code: every
 * attack refused before install with its typed code. Metadata attacks are refused before any
 * download: electron-updater's cache stays empty.
 */
const base = mkdtempSync(join(tmpdir(), 'embassy-updates-'));
let it_: ItFixture;
let relay: RunningRelay;
const hqDir = join(base, 'hq-data', 'updates');
const usbDir = join(base, 'usb');
let n = 0;
const opened: { updates: { dispose(): void } }[] = [];

beforeAll(async () => {
  it_ = await itFixture();
  relay = await startRelay({
    dataDir: join(base, 'hq-data'),
    host: '127.0.0.1',
    port: 0,
    log: () => undefined,
  });
});

afterAll(async () => {
  for (const ws of opened) ws.updates.dispose();
  await relay?.close();
  await rm(base, { recursive: true, force: true });
});

/** The policy names the relay; a folder is checked with `checkFolder` (the USB stick case). */
const policySource = (): UpdateSource => ({
  kind: 'hq',
  url: `${relay.url}/v1/updates/`,
  channel: 'stable',
  pinSha256: relay.fingerprint,
});
type Ws = Awaited<ReturnType<typeof workstation>>;
const mirrors = [
  { kind: 'hq' as const, dir: () => hqDir, check: (ws: Ws) => ws.updates.check() },
  { kind: 'folder' as const, dir: () => usbDir, check: (ws: Ws) => ws.updates.checkFolder(usbDir) },
];

const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: { code?: string }) => e.code ?? String(e),
  );

describe.each(mirrors)('signed updates from $kind', (mirror) => {
  const fresh = async (version = '1.0.0') => {
    const ws = await workstation(join(base, `ws-${++n}`), it_, policySource(), version);
    opened.push(ws);
    return ws;
  };

  it('installs a release IT signed: available, downloading with progress, verified, installed', async () => {
    await publishRelease(mirror.dir(), it_, { version: '1.1.0', manifestVersion: 1 });
    const ws = await fresh();
    const progress: number[] = [];
    ws.updater.on('download-progress', (p: { percent: number }) => progress.push(p.percent));
    const checked = await mirror.check(ws);
    expect(checked).toMatchObject({
      state: 'available',
      availableVersion: '1.1.0',
      installedVersion: '1.0.0',
      channel: 'stable',
      source: mirror.kind,
    });
    expect(ws.updater.autoDownload).toBe(false);
    expect(ws.updater.autoInstallOnAppQuit).toBe(false);
    expect(ws.updater.allowDowngrade).toBe(false);
    expect(await ws.cached()).toEqual([]);
    expect((await ws.updates.download()).state).toBe('verified');
    expect(progress.length).toBeGreaterThan(0);
    await ws.updates.install();
    expect(ws.updater.installed).toHaveLength(1);
    expect(await readFile(ws.updater.installed[0] ?? '')).toEqual(artifactBytes('1.1.0'));
  });

  it('tampered file with its yml rewritten to match: E_UPDATE_MISMATCH before any download', async () => {
    await publishRelease(mirror.dir(), it_, { version: '1.1.0', manifestVersion: 1 });
    const evil = Buffer.from(artifactBytes('1.1.0'));
    evil.writeUInt8(evil.readUInt8(100) ^ 1, 100);
    await writeFile(join(mirror.dir(), debName('1.1.0')), evil);
    await writeFile(join(mirror.dir(), 'latest-linux.yml'), latestYml('1.1.0', debName('1.1.0'), evil));
    const ws = await fresh();
    expect(await codeOf(mirror.check(ws))).toBe('E_UPDATE_MISMATCH');
    expect(await ws.cached()).toEqual([]);
    expect(ws.updates.status().refused?.code).toBe('E_UPDATE_MISMATCH');
    expect(await codeOf(ws.updates.download())).toBe('E_UPDATE_NOT_READY');
  });

  it('tampered file behind an honest yml: E_UPDATE_BAD_FILE at download, never installed', async () => {
    await publishRelease(mirror.dir(), it_, { version: '1.1.0', manifestVersion: 1 });
    const evil = Buffer.from(artifactBytes('1.1.0'));
    evil.writeUInt8(evil.readUInt8(5000) ^ 0x80, 5000);
    await writeFile(join(mirror.dir(), debName('1.1.0')), evil);
    const ws = await fresh();
    expect((await mirror.check(ws)).state).toBe('available');
    expect(await codeOf(ws.updates.download())).toBe('E_UPDATE_BAD_FILE');
    expect(await codeOf(ws.updates.install())).toBe('E_UPDATE_NOT_READY');
    expect(ws.updater.installed).toEqual([]);
  });

  it('file replaced in the cache after verification: E_UPDATE_BAD_FILE at install, never installed', async () => {
    await publishRelease(mirror.dir(), it_, { version: '1.1.0', manifestVersion: 1 });
    const ws = await fresh();
    await mirror.check(ws);
    expect((await ws.updates.download()).state).toBe('verified');
    const file = ws.updater.downloadedFile;
    const evil = await readFile(file);
    evil.writeUInt8(evil.readUInt8(7) ^ 1, 7);
    await writeFile(file, evil);
    expect(await codeOf(ws.updates.install())).toBe('E_UPDATE_BAD_FILE');
    expect(ws.updater.installed).toEqual([]);
  });

  it('wrong size in the yml: E_UPDATE_MISMATCH before any download', async () => {
    await publishRelease(mirror.dir(), it_, { version: '1.1.0', manifestVersion: 1 });
    const bytes = artifactBytes('1.1.0');
    await writeFile(
      join(mirror.dir(), 'latest-linux.yml'),
      latestYml('1.1.0', debName('1.1.0'), bytes, { size: bytes.length + 1 }),
    );
    const ws = await fresh();
    expect(await codeOf(mirror.check(ws))).toBe('E_UPDATE_MISMATCH');
    expect(await ws.cached()).toEqual([]);
  });

  it('a truncated file behind an honest yml: E_UPDATE_BAD_FILE, never installed', async () => {
    await publishRelease(mirror.dir(), it_, { version: '1.1.0', manifestVersion: 1 });
    await writeFile(join(mirror.dir(), debName('1.1.0')), artifactBytes('1.1.0').subarray(0, 4096));
    const ws = await fresh();
    await mirror.check(ws);
    expect(await codeOf(ws.updates.download())).toBe('E_UPDATE_BAD_FILE');
    expect(ws.updater.installed).toEqual([]);
  });

  it('expired manifest: E_IT_EXPIRED before any download', async () => {
    await publishRelease(mirror.dir(), it_, { version: '1.1.0', manifestVersion: 1, expires: inDays(-1) });
    const ws = await fresh();
    expect(await codeOf(mirror.check(ws))).toBe('E_IT_EXPIRED');
    expect(await ws.cached()).toEqual([]);
  });

  it('downgrade (a signed release older than the installed one): E_UPDATE_DOWNGRADE', async () => {
    await publishRelease(mirror.dir(), it_, { version: '1.1.0', manifestVersion: 1 });
    const ws = await fresh('1.2.0');
    expect(await codeOf(mirror.check(ws))).toBe('E_UPDATE_DOWNGRADE');
    expect(await ws.cached()).toEqual([]);
  });

  it("a manifest from another channel under this channel's name: E_UPDATE_WRONG_CHANNEL", async () => {
    await publishRelease(mirror.dir(), it_, { version: '1.1.0', manifestVersion: 1, channel: 'beta' });
    const ws = await fresh();
    expect(await codeOf(mirror.check(ws))).toBe('E_UPDATE_WRONG_CHANNEL');
    expect(await ws.cached()).toEqual([]);
  });

  it('a replayed older manifest after a newer one was seen: E_IT_ROLLBACK', async () => {
    const older = await publishRelease(mirror.dir(), it_, { version: '1.1.0', manifestVersion: 1 });
    await publishRelease(mirror.dir(), it_, { version: '1.2.0', manifestVersion: 2 });
    const ws = await fresh();
    expect((await mirror.check(ws)).availableVersion).toBe('1.2.0');
    // The mirror goes back to the older (validly signed) release, files and all.
    await publishRelease(mirror.dir(), it_, { version: '1.1.0', manifestVersion: 1 });
    await writeFile(join(mirror.dir(), releaseManifestName('stable')), JSON.stringify(older.manifest));
    expect(await codeOf(mirror.check(ws))).toBe('E_IT_ROLLBACK');
    expect(await ws.cached()).toEqual([]);
  });

  it("mix and match: this manifest with another release's yml and files: E_UPDATE_MISMATCH", async () => {
    const current = await publishRelease(mirror.dir(), it_, { version: '1.1.0', manifestVersion: 3 });
    await publishRelease(mirror.dir(), it_, { version: '1.2.0', manifestVersion: 4 });
    await writeFile(join(mirror.dir(), releaseManifestName('stable')), JSON.stringify(current.manifest));
    const ws = await fresh();
    expect(await codeOf(mirror.check(ws))).toBe('E_UPDATE_MISMATCH');
    // The other release's file under this version's name and yml.
    await writeFile(
      join(mirror.dir(), 'latest-linux.yml'),
      latestYml('1.1.0', debName('1.2.0'), artifactBytes('1.2.0')),
    );
    const ws2 = await fresh();
    expect(await codeOf(mirror.check(ws2))).toBe('E_UPDATE_MISMATCH');
    expect(await ws.cached()).toEqual([]);
    expect(await ws2.cached()).toEqual([]);
  });

  it('a manifest signed by k−1 keys: E_IT_THRESHOLD before any download', async () => {
    await publishRelease(mirror.dir(), it_, { version: '1.1.0', manifestVersion: 1, signers: 1 });
    const ws = await fresh();
    expect(await codeOf(mirror.check(ws))).toBe('E_IT_THRESHOLD');
    expect(await ws.cached()).toEqual([]);
  });

  it('no manifest at all (only electron-builder metadata): E_UPDATE_NO_MANIFEST', async () => {
    await publishRelease(mirror.dir(), it_, { version: '1.1.0', manifestVersion: 1 });
    await rm(join(mirror.dir(), releaseManifestName('stable')));
    const ws = await fresh();
    expect(await codeOf(mirror.check(ws))).toBe('E_UPDATE_NO_MANIFEST');
  });
});
