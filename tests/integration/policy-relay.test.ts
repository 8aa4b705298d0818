import { mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/embassy';
import { createCore, type Core } from '../../electron/core';
import type { ItKeyFile } from '../../electron/core/it-signing';
import type { SoftHsmToken } from '../fixtures/softhsm';
import { makeItKeys, policyPayload, rootPayload, signWith, writeRoot } from '../fixtures/it-keys';
import { makeOfficers, startSyncRelay, type TestRelayServer } from './sync-harness';
import { must } from './vault-harness';

/**
 * HQ publishes IT's policy at the relay (`embassy hq policy publish`) and every sync round
 * fetches it: a signed one is applied; one the relay (or anyone on the way) altered is refused
 * by the device, the policy in force stays, and the round itself still succeeds.
 */
describe('policy published at the relay, fetched on every sync', () => {
  let tokens: SoftHsmToken[];
  let hq: TestRelayServer;
  let keys: ItKeyFile[];
  let core: Core;
  let dir: string;
  const io = { stdout: () => undefined, stderr: () => undefined, readStdin: async () => Buffer.alloc(0) };

  async function publish(doc: unknown): Promise<number> {
    const file = join(dir, `policy-${Date.now()}.json`);
    await writeFile(file, JSON.stringify(doc));
    return runCli(['hq', 'policy', 'publish', file, '--data', hq.dataDir], io);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'embassy-policy-relay-'));
    let caRoot: string;
    ({ tokens, rootPath: caRoot } = await makeOfficers([
      { name: 'Le Minh Chau', email: 'chau.le@mission.example', label: 'pol-chau' },
    ]));
    hq = await startSyncRelay(caRoot);
    keys = await makeItKeys(2);
    const itRoot = await writeRoot(dir, await signWith(rootPayload(keys, 2), keys));
    const token = tokens[0] as SoftHsmToken;
    core = createCore({
      profileDir: join(dir, 'profile'),
      version: 'test',
      signing: { tokenHost: { env: token.env, pollMs: 500 } },
      sync: { background: false, push: false },
      policy: { pinnedRootPath: itRoot },
    });
    await must(core, 'vault.create', {
      profile: 'token',
      modulePath: token.modulePath,
      tokenLabel: token.label,
      pin: token.pin,
    });
    await must(core, 'sync.enroll', {
      hqUrl: hq.relay.url,
      fingerprint: hq.relay.fingerprint,
      token: { label: token.label },
      pin: token.pin,
      department: 'Consular',
    });
  }, 180_000);
  afterAll(async () => {
    await core?.close();
    await hq?.relay.close();
    for (const t of tokens ?? []) await t.cleanup();
  });

  it('applies a signed policy at the next round; refuses an altered one and keeps the old', async () => {
    // Nothing published yet: the round is fine and there is no policy.
    expect((await must(core, 'sync.now', {})).lastSyncAt).toBeDefined();
    expect((await must(core, 'policy.get', {})).state).toBe('none');

    expect(await publish(await signWith(policyPayload(1), keys))).toBe(0);
    await must(core, 'sync.now', {});
    expect((await must(core, 'policy.get', {})).policy?.version).toBe(1);

    const altered = await signWith(policyPayload(2), keys);
    (altered.signed as unknown as { idleLockMinutes: number }).idleLockMinutes = 480;
    expect(await publish(altered)).toBe(0);
    const status = await must(core, 'sync.now', {});
    expect(status.connection).not.toBe('offline');
    expect((await must(core, 'policy.get', {})).policy).toMatchObject({ version: 1, idleLockMinutes: 5 });

    expect(await publish(await signWith(policyPayload(2, { idleLockMinutes: 9 }), keys))).toBe(0);
    await must(core, 'sync.now', {});
    expect((await must(core, 'policy.get', {})).policy).toMatchObject({ version: 2, idleLockMinutes: 9 });
  }, 120_000);

  it('the relay refuses to publish a file that is not shaped like an IT policy', async () => {
    expect(await publish({ hello: 'world' })).toBe(2);
    expect(await publish(await signWith(rootPayload(keys, 2, 2), keys))).toBe(2);
  });
});
