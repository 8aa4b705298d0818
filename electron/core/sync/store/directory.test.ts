import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  certifyOfficers,
  directoryDevice,
  enrol,
  enrolledWithPeer,
  openStoreVault,
  peer,
  signedDirectory,
  T0,
  type StoreVault,
} from '../../../../tests/fixtures/sync-store-vault';
import { DIRECTORY_VERSION } from '../../../../shared/sync/relay-protocol';
import { recipientsFor, storedDirectory } from './directory';

let v: StoreVault;
beforeEach(async () => {
  v = await openStoreVault();
});
afterEach(() => v.close());

const DAY = 24 * 60 * 60 * 1000;

describe('sync store: directory', () => {
  it("stores HQ's signed directory, updates my own entry and parses it once per serial", async () => {
    const { me } = await enrolledWithPeer(v);
    const id = (await v.run('sync.identity', {})).identity;
    expect(id).toMatchObject({ status: 'approved', address: 'me@mission.example', name: 'Me Myself' });
    expect(v.ctx.directory.parsed?.serial).toBe(1);
    const parsed = storedDirectory(v.ctx);
    expect(storedDirectory(v.ctx)).toBe(parsed);
    const view = await v.run('sync.directory.get', { now: T0 });
    expect(view.serial).toBe(1);
    expect(view.officers.map((o) => [o.address, o.reachable])).toEqual([
      ['me@mission.example', false], // my own device is no recipient
      ['peer@hq.example', true],
    ]);
    expect(view.officers[0]?.devices[0]?.deviceId).toBe(me.deviceId);
  });

  it('refuses a directory HQ did not sign, a malformed one, and one older than the one held', async () => {
    await enrolledWithPeer(v);
    const good = signedDirectory(v, 5, []);
    const forged = { ...good, signature: v.sodium.crypto_sign_detached(good.bytes, v.hq.privateKey) };
    expect(await v.refusal('sync.directory.store', { ...forged, now: T0 })).toBe('E_SYNC_DIRECTORY_INVALID');
    const short = { ...good, signature: good.signature.subarray(0, 63) };
    expect(await v.refusal('sync.directory.store', { ...short, now: T0 })).toBe('E_SYNC_DIRECTORY_INVALID');
    const junk = new Uint8Array(Buffer.from('{"version":1}'));
    const signedJunk = {
      bytes: junk,
      signature: v.sodium.crypto_sign_detached(
        new Uint8Array([...Buffer.from('embassy-hq/v1/directory\0'), ...junk]),
        v.hq.privateKey,
      ),
    };
    expect(await v.refusal('sync.directory.store', { ...signedJunk, now: T0 })).toBe(
      'E_SYNC_DIRECTORY_INVALID',
    );
    // A relay replays serial 0 to hide a revocation: refused, serial 1 stays.
    expect(await v.refusal('sync.directory.store', { ...signedDirectory(v, 0, []), now: T0 })).toBe(
      'E_SYNC_DIRECTORY_ROLLBACK',
    );
    expect((await v.run('sync.directory.get', { now: T0 })).serial).toBe(1);
    // The peer's device is no longer listed: a notice (contact-notices.ts), beside the notice
    // of the rollback refused above (directory-chain.ts).
    expect(await v.run('sync.directory.store', { ...good, now: T0 })).toEqual({ serial: 5, warnings: 1 });
    expect((await v.run('sync.warnings', {})).map((w) => w.kind)).toEqual([
      'device-removed',
      'directory-rollback',
    ]);
  });

  it('warns when a known device is revoked or its keys change', async () => {
    const { me, other } = await enrolledWithPeer(v);
    const mine = directoryDevice(me);
    const changed = { ...other.keys, boxPublicKey: v.sodium.crypto_box_keypair().publicKey };
    const next = signedDirectory(v, 2, [
      { address: 'me@mission.example', name: 'Me Myself', department: 'Consular', devices: [mine] },
      {
        address: 'peer@hq.example',
        name: 'Peer Officer',
        department: 'Europe',
        devices: [directoryDevice(changed)],
      },
    ]);
    expect(await v.run('sync.directory.store', { ...next, now: T0 + 1 })).toEqual({ serial: 2, warnings: 1 });
    const revoked = signedDirectory(v, 3, [
      {
        address: 'peer@hq.example',
        name: 'Peer Officer',
        department: 'Europe',
        devices: [directoryDevice(changed, undefined, 'revoked')],
      },
    ]);
    expect(await v.run('sync.directory.store', { ...revoked, now: T0 + 2 })).toEqual({
      serial: 3,
      warnings: 1,
    });
    expect((await v.run('sync.warnings', {})).map((w) => [w.kind, w.deviceId])).toEqual([
      ['device-revoked', other.keys.deviceId],
      ['keys-changed', other.keys.deviceId],
    ]);
  });

  it('seals only to approved devices with a fresh prekey signed by their own key', async () => {
    await enrol(v);
    const me = (await v.run('sync.identity', {})).identity?.deviceId ?? '';
    const fresh = peer(v.sodium);
    const stale = peer(v.sodium, T0 - 30 * DAY);
    const forged = peer(v.sodium);
    const stranger = peer(v.sodium);
    const dir = {
      version: DIRECTORY_VERSION,
      serial: 1,
      issuedAt: T0,
      previous: null,
      officers: certifyOfficers([
        {
          address: 'Peer@HQ.example',
          name: 'Peer',
          department: '',
          devices: [
            directoryDevice(fresh.keys, fresh.prekey),
            directoryDevice(stale.keys, stale.prekey),
            // The relay swaps in a prekey signed by another device's key.
            directoryDevice(forged.keys, { ...stranger.prekey }),
          ],
        },
      ]),
    };
    const { recipients, address } = recipientsFor(v.ctx, 'peer@hq.example', me, dir, T0);
    expect(address).toBe('Peer@HQ.example');
    expect(recipients.map((r) => r.deviceId)).toEqual([fresh.keys.deviceId]);
    expect(() => recipientsFor(v.ctx, 'nobody@hq.example', me, dir, T0)).toThrow(/no officer/);
    expect(() => recipientsFor(v.ctx, 'peer@hq.example', me, dir, T0 + 30 * DAY)).toThrow(
      /no approved device/,
    );
  });
});
