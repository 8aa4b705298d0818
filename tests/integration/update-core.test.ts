import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core';
import { startRelay, type RunningRelay } from '../../hq/server/relay-server';
import type { CallName } from '../../shared/contract';
import { policyPayload, signWith, writeRoot } from '../fixtures/it-keys';
import {
  appAdapter,
  itFixture,
  publishRelease,
  RecordingDebUpdater,
  type ItFixture,
} from '../fixtures/update-harness';

/**
 * The core as the Electron main composes it (`updates: { updater }`): the update source, its
 * channel and the pinned certificate come from IT's policy in force, and the contract's
 * `updates.*` calls drive electron-updater end to end against the relay.
 */
describe('updates.* through the core, from the policy in force', () => {
  let dir: string;
  let relay: RunningRelay;
  let it_: ItFixture;
  let core: Core;
  let updater: RecordingDebUpdater;
  let picked: string | null = null;
  const call = async (name: CallName, input: unknown = {}) =>
    core.dispatch(name, input, { transport: 'ipc' });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'embassy-update-core-'));
    it_ = await itFixture();
    relay = await startRelay({ dataDir: join(dir, 'hq'), host: '127.0.0.1', port: 0, log: () => undefined });
    await publishRelease(join(dir, 'hq', 'updates'), it_, { version: '1.3.0', manifestVersion: 1 });
    updater = new RecordingDebUpdater(null, await appAdapter(join(dir, 'app'), '1.2.9'));
    core = createCore({
      profileDir: join(dir, 'profile'),
      version: '1.2.9',
      policy: { pinnedRootPath: await writeRoot(join(dir, 'root'), it_.rootDoc) },
      updates: { updater, pickFolder: async () => picked },
    });
  });
  afterAll(async () => {
    await core?.close();
    await relay?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('no policy: E_UPDATE_NOT_CONFIGURED; with IT policy naming the relay: check, download, install', async () => {
    expect(await call('updates.check')).toMatchObject({
      ok: false,
      error: { code: 'E_UPDATE_NOT_CONFIGURED' },
    });
    const policy = policyPayload(1, {
      hq: { url: relay.url, certSha256: relay.fingerprint },
      updates: { channel: 'stable', url: `${relay.url}/v1/updates/` },
    });
    expect(
      (
        await call('policy.import', {
          document: JSON.stringify(await signWith(policy, it_.keys.slice(0, 2))),
        })
      ).ok,
    ).toBe(true);
    expect(await call('app.health')).toMatchObject({
      ok: true,
      value: { parts: { updates: { state: 'ok' } } },
    });
    expect(await call('updates.check')).toMatchObject({
      ok: true,
      value: { state: 'available', availableVersion: '1.3.0', channel: 'stable', source: 'hq' },
    });
    expect(await call('updates.download')).toMatchObject({ ok: true, value: { state: 'verified' } });
    expect(await call('updates.install')).toMatchObject({ ok: true, value: { state: 'installing' } });
    expect(updater.installed).toHaveLength(1);
  });

  it('updates.checkFolder: the folder main picked (never one the caller names) is one more mirror', async () => {
    const usb = join(dir, 'usb');
    await publishRelease(usb, it_, { version: '1.3.0', manifestVersion: 5 });
    picked = usb;
    // The caller cannot pass a path: the schema is empty and strict.
    expect(await call('updates.checkFolder', { dir: '/etc' })).toMatchObject({
      ok: false,
      error: { code: 'E_INVALID_INPUT' },
    });
    expect(await call('updates.checkFolder')).toMatchObject({
      ok: true,
      value: { state: 'available', source: 'folder' },
    });
    picked = null;
    expect(await call('updates.checkFolder')).toMatchObject({ ok: true, value: { state: 'available' } });
  });

  it('a policy pinning another certificate: the relay gets no request (E_UPDATE_UNAVAILABLE)', async () => {
    const policy = policyPayload(2, {
      hq: { url: relay.url, certSha256: 'cd'.repeat(32) },
      updates: { channel: 'stable', url: `${relay.url}/v1/updates/` },
    });
    expect(
      (
        await call('policy.import', {
          document: JSON.stringify(await signWith(policy, it_.keys.slice(0, 2))),
        })
      ).ok,
    ).toBe(true);
    expect(await call('updates.check')).toMatchObject({ ok: false, error: { code: 'E_UPDATE_UNAVAILABLE' } });
    expect(await call('updates.status')).toMatchObject({
      ok: true,
      value: { state: 'refused', refused: { code: 'E_UPDATE_UNAVAILABLE' } },
    });
  });
});
