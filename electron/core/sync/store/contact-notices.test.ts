import { X509Certificate } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { certifyDevice, officerCertificate } from '../../../../tests/fixtures/officer-certificates';
import {
  directoryDevice,
  enrolledWithPeer,
  openStoreVault,
  peer,
  signedDirectory,
  T0,
  type StoreVault,
} from '../../../../tests/fixtures/sync-store-vault';

let v: StoreVault;
beforeEach(async () => {
  v = await openStoreVault();
});
afterEach(() => v.close());

const PEER = 'peer@hq.example';
const fingerprint = (der: Buffer) => new X509Certificate(der).fingerprint256.replace(/:/g, '').toLowerCase();

describe('sync store: contact notices', () => {
  it('names the vouching certificate of a new device, a re-certified one and a removed one; the mark drops', async () => {
    const { me, myPrekey, other } = await enrolledWithPeer(v);
    const mine = directoryDevice(me, {
      ...myPrekey,
      publicKey: Buffer.from(myPrekey.publicKey).toString('base64'),
      signature: Buffer.from(myPrekey.signature).toString('base64'),
    });
    const meOfficer = {
      address: 'me@mission.example',
      name: 'Me Myself',
      department: 'Consular',
      devices: [mine],
    };
    const shown = await v.run('sync.contact.show', { address: PEER, now: T0 });
    expect(shown.devices.map((d) => d.certificate.subject)).toEqual(['CN=Peer Officer']);
    await v.run('sync.contact.verify', { address: PEER, safetyNumber: shown.safetyNumber, now: T0 });

    // The peer's device is re-certified by a renewed certificate, and a second device appears.
    const renewed = { address: PEER, name: 'Peer Officer Renewed', department: 'Europe' };
    const second = peer(v.sodium);
    const recertified = {
      ...directoryDevice(other.keys, other.prekey),
      ...certifyDevice(renewed, other.keys.signPublicKey, other.keys.boxPublicKey),
    };
    const next = signedDirectory(v, 2, [
      meOfficer,
      {
        address: PEER,
        name: 'Peer Officer',
        department: 'Europe',
        devices: [recertified, directoryDevice(second.keys, second.prekey)],
      },
    ]);
    expect(await v.run('sync.directory.store', { ...next, now: T0 + 1 })).toEqual({ serial: 2, warnings: 3 });
    const warnings = await v.run('sync.warnings', {});
    const byKind = new Map(warnings.map((w) => [w.kind, w]));
    expect(byKind.get('certificate-changed')).toMatchObject({
      address: PEER,
      deviceId: other.keys.deviceId,
      certificate: {
        subject: 'CN=Peer Officer Renewed',
        fingerprint: fingerprint(officerCertificate(PEER, 'Peer Officer Renewed').der),
      },
    });
    expect(byKind.get('certificate-changed')?.certificate?.issuer).toMatch(/CN=/);
    expect(byKind.get('device-added')).toMatchObject({
      address: PEER,
      deviceId: second.keys.deviceId,
      certificate: {
        subject: 'CN=Peer Officer',
        fingerprint: fingerprint(officerCertificate(PEER, 'Peer Officer').der),
      },
    });
    expect(byKind.get('verification-lost')).toMatchObject({ address: PEER });
    const after = await v.run('sync.contact.show', { address: PEER, now: T0 + 2 });
    expect(after.verification).toEqual({ state: 'changed', verifiedAt: T0, lostAt: T0 + 1 });
    expect(after.safetyNumber).not.toBe(shown.safetyNumber);

    // The second device is no longer listed.
    const last = signedDirectory(v, 3, [
      meOfficer,
      { address: PEER, name: 'Peer Officer', department: 'Europe', devices: [recertified] },
    ]);
    expect(await v.run('sync.directory.store', { ...last, now: T0 + 3 })).toEqual({ serial: 3, warnings: 1 });
    expect((await v.run('sync.warnings', {}))[0]).toMatchObject({
      kind: 'device-removed',
      deviceId: second.keys.deviceId,
    });
    // The mark stays lost (one notice, not one per directory).
    expect((await v.run('sync.contact.show', { address: PEER, now: T0 + 4 })).verification.state).toBe(
      'changed',
    );
  });
});
