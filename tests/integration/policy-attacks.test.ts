import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core';
import type { ItKeyFile } from '../../electron/core/it-signing';
import { policyStatePath } from '../../electron/core/policy';
import type { ItDocument } from '../../shared/it/it-document';
import { inDays, makeItKeys, policyPayload, rootPayload, signWith, writeRoot } from '../fixtures/it-keys';
import { must as present } from '../helpers/must';
import { call, must } from './vault-harness';

/**
 * A workstation with policy version 2 in force, then every attack the issue names, each through
 * the contract as a USB stick or the relay would deliver it: refused with its own code, and the
 * policy in force (in memory, on disk, after a restart) is still version 2.
 */
describe('signed policy: attacks refused, the old policy stays', () => {
  let dir: string;
  let rootPath: string;
  let keys: ItKeyFile[];
  let foreign: ItKeyFile[];
  let core: Core;
  /** Version 2 as IT published it (the same bytes are fetched again at every sync). */
  let v2doc: ItDocument;
  const open: Core[] = [];
  const coreOn = (profileDir: string) => {
    const c = createCore({ profileDir, version: 'test', policy: { pinnedRootPath: rootPath } });
    open.push(c);
    return c;
  };
  const importDoc = (c: Core, doc: unknown) => call(c, 'policy.import', { document: JSON.stringify(doc) });
  const profile = () => join(dir, 'profile');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'embassy-policy-'));
    keys = await makeItKeys(3);
    foreign = await makeItKeys(3);
    rootPath = await writeRoot(dir, await signWith(rootPayload(keys, 2), keys.slice(0, 2)));
    core = coreOn(profile());
    expect((await must(core, 'policy.get', {})).state).toBe('none');
    const v1 = await importDoc(core, await signWith(policyPayload(1), [present(keys[0]), present(keys[2])]));
    expect(v1.ok).toBe(true);
    v2doc = await signWith(policyPayload(2, { idleLockMinutes: 7 }), keys.slice(1));
    const v2 = await must(core, 'policy.import', { document: JSON.stringify(v2doc) });
    expect(v2).toMatchObject({ state: 'in-force', unchanged: false, rootVersion: 1, policy: { version: 2 } });
  });
  afterAll(async () => {
    for (const c of open) await c.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function refusedWith(doc: unknown, code: string) {
    const before = await readFile(policyStatePath(profile()));
    const r = await importDoc(core, doc);
    expect(r.ok ? 'accepted' : r.error.code).toBe(code);
    expect((await must(core, 'policy.get', {})).policy?.version).toBe(2);
    expect(await readFile(policyStatePath(profile()))).toEqual(before);
  }

  it('tampered: a field changed after signing → E_IT_BAD_SIGNATURE', async () => {
    const doc = await signWith(policyPayload(3), keys.slice(0, 2));
    (doc.signed as unknown as { pkcs11: unknown }).pkcs11 = { allowed: [{ id: 'opensc' }] };
    await refusedWith(doc, 'E_IT_BAD_SIGNATURE');
  });

  it('expired → E_IT_EXPIRED', async () => {
    await refusedWith(
      await signWith(policyPayload(3, { expires: inDays(-1) }), keys.slice(0, 2)),
      'E_IT_EXPIRED',
    );
  });

  it('rolled back: version 1 again, or another document numbered 2 → E_IT_ROLLBACK', async () => {
    await refusedWith(await signWith(policyPayload(1), keys.slice(0, 2)), 'E_IT_ROLLBACK');
    await refusedWith(
      await signWith(policyPayload(2, { idleLockMinutes: 480 }), keys.slice(0, 2)),
      'E_IT_ROLLBACK',
    );
  });

  it('signed by k−1 keys → E_IT_THRESHOLD', async () => {
    await refusedWith(await signWith(policyPayload(3), keys.slice(0, 1)), 'E_IT_THRESHOLD');
  });

  it('signed under an unknown root → E_IT_UNKNOWN_ROOT (also with that root offered beside it)', async () => {
    await refusedWith(await signWith(policyPayload(3), foreign), 'E_IT_UNKNOWN_ROOT');
    const theirRoot = await signWith(rootPayload(foreign, 2, 2), foreign);
    await refusedWith([theirRoot, await signWith(policyPayload(3), foreign)], 'E_IT_UNKNOWN_ROOT');
  });

  it('not a signed document at all → E_IT_MALFORMED; a policy field this version does not know → E_IT_MALFORMED', async () => {
    await refusedWith({ hello: 'world' }, 'E_IT_MALFORMED');
    const extra = { ...policyPayload(3), allowUsbMassStorage: true };
    await refusedWith(await signWith(extra, keys.slice(0, 2)), 'E_IT_MALFORMED');
  });

  it('re-importing the policy in force (every sync does) is accepted and changes nothing', async () => {
    // The same file again, re-signed by the other holders: same content, so unchanged.
    const again = await signWith(v2doc.signed, keys.slice(0, 2));
    const before = await readFile(policyStatePath(profile()));
    const r = await must(core, 'policy.import', { document: JSON.stringify(again) });
    expect(r.unchanged).toBe(true);
    expect(await readFile(policyStatePath(profile()))).toEqual(before);
  });

  it('a root rotation signed by the old and the new threshold is accepted; after it only the new keys count', async () => {
    const next = await signWith(rootPayload(foreign, 2, 2), [present(keys[0]), present(keys[1]), ...foreign]);
    const policy3 = await signWith(policyPayload(3), foreign.slice(0, 2));
    const r = await must(core, 'policy.import', { document: JSON.stringify([next, policy3]) });
    expect(r).toMatchObject({ rootVersion: 2, policy: { version: 3 }, unchanged: false });
    await refusedWithVersion(await signWith(policyPayload(4), keys), 'E_IT_UNKNOWN_ROOT', 3);
    // A restart re-verifies the chain from the pinned root: the rotation and policy 3 hold.
    const restarted = coreOn(profile());
    expect(await must(restarted, 'policy.get', {})).toMatchObject({ rootVersion: 2, policy: { version: 3 } });
    // A rotation signed by the new keys alone (no old threshold) is refused.
    const selfMade = await signWith(rootPayload(keys, 2, 3), keys);
    await refusedWithVersion(selfMade, 'E_IT_UNKNOWN_ROOT', 3);
  });

  it('a rotation alone keeps the policy in force, across a restart too', async () => {
    // Root 3 hands back to the first key set: signed by root 2's threshold and by its own.
    const third = await signWith(rootPayload(keys, 2, 3), [...foreign.slice(0, 2), ...keys.slice(0, 2)]);
    const r = await must(core, 'policy.import', { document: JSON.stringify(third) });
    expect(r).toMatchObject({ rootVersion: 3, policy: { version: 3 }, unchanged: false });
    expect(await must(coreOn(profile()), 'policy.get', {})).toMatchObject({
      rootVersion: 3,
      policy: { version: 3 },
    });
  });

  it('a state file edited on disk is not trusted at the next start (no policy, not a forged one)', async () => {
    const path = policyStatePath(profile());
    const state = JSON.parse(await readFile(path, 'utf8')) as { policy: ItDocument };
    (state.policy.signed as unknown as { idleLockMinutes: number }).idleLockMinutes = 480;
    await writeFile(path, JSON.stringify(state));
    expect((await must(coreOn(profile()), 'policy.get', {})).state).toBe('none');
  });

  async function refusedWithVersion(doc: unknown, code: string, version: number) {
    const r = await importDoc(core, doc);
    expect(r.ok ? 'accepted' : r.error.code).toBe(code);
    expect((await must(core, 'policy.get', {})).policy?.version).toBe(version);
  }
});

describe('no pinned root', () => {
  it('refuses every policy with E_IT_NO_ROOT', async () => {
    const profileDir = await mkdtemp(join(tmpdir(), 'embassy-policy-'));
    const core = createCore({ profileDir, version: 'test', policy: { pinnedRootPath: null } });
    const keys = await makeItKeys(1);
    const r = await call(core, 'policy.import', {
      document: JSON.stringify(await signWith(policyPayload(1), keys)),
    });
    expect(r.ok ? 'accepted' : r.error.code).toBe('E_IT_NO_ROOT');
    expect((await must(core, 'policy.get', {})).rootVersion).toBeNull();
    await core.close();
    await rm(profileDir, { recursive: true, force: true });
  });
});
