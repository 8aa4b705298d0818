import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/embassy';
import { createCore } from '../../electron/core';
import { generateDeviceKeys, generatePrekey } from '../../electron/core/sync/prekeys';
import { loadSodium, type Sodium } from '../../electron/core/vault/sodium';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import { CompromisedRelay } from './compromised-relay';
import {
  enroll,
  makeOfficers,
  newOfficer,
  startSyncRelay,
  type Officer,
  type TestRelayServer,
} from './sync-harness';
import { call, must } from './vault-harness';

/**
 * Identity rooted in officers' tokens (issue 12), attacked by a fully compromised relay
 * (compromised-relay.ts: it owns the relay's database and HQ's directory key, so every
 * directory it serves verifies). Alice sends and receives; Bob is the officer impersonated;
 * Carol is a real officer whose device the relay moves under Bob's address; Mallory holds a
 * token whose certificate names Bob but chains to a root no workstation pins. Each attack must
 * end with a typed refusal, a notice and an audit line at Alice's, and nothing delivered to
 * the attacker or stored as forged.
 */

let sodium: Sodium;
let tokens: SoftHsmToken[];
let rootPath: string;
let malloryToken: SoftHsmToken;
let hq: TestRelayServer;
let relay: CompromisedRelay;
let alice: Officer;
let bob: Officer;
let carol: Officer;
let mallory: Officer;
const ids: Record<string, string> = {};

const deviceIdOf = async (o: Officer) => (await must(o.core, 'sync.status', {})).deviceId as string;

async function roundFor(...officers: Officer[]) {
  for (const o of officers) await must(o.core, 'sync.now', {});
}

async function refusalNoticed(o: Officer, deviceId: string, address: string) {
  const status = await must(o.core, 'sync.status', {});
  expect(status.warnings).toContainEqual(
    expect.objectContaining({ kind: 'device-refused', deviceId, address }),
  );
  const audit = await o.core.vault.run('sync.audit', { limit: 1000 });
  expect(audit.events).toContainEqual(
    expect.objectContaining({
      event: 'device-refused',
      code: 'E_SYNC_DEVICE_UNCERTIFIED',
      sender_device: deviceId,
    }),
  );
}

/** Alice writes to Bob; answers the devices her envelope was queued for. */
async function aliceWritesBob(text: string): Promise<string[]> {
  const sent = await must(alice.core, 'sync.send', {
    kind: 'message',
    to: ['bob@hq.example'],
    title: 'to Bob',
    text,
  });
  await roundFor(alice);
  return sent.items.map((i) => i.recipientDevice ?? `waiting:${i.recipientAddress}`);
}

beforeAll(async () => {
  sodium = await loadSodium();
  ({ tokens, rootPath } = await makeOfficers([
    { name: 'Alice Mission', email: 'alice@mission.example', label: 'rc-alice' },
    { name: 'Bob Headquarters', email: 'bob@hq.example', label: 'rc-bob' },
    { name: 'Carol Mission', email: 'carol@mission.example', label: 'rc-carol' },
  ]));
  // Mallory's token names Bob, issued by a CA of her own: its root is pinned nowhere.
  malloryToken = await createSoftHsmToken({
    keys: ['rsa'],
    label: 'rc-mallory',
    holder: { name: 'Bob Headquarters', email: 'bob@hq.example' },
    variant: 'unknown-root',
  });
  hq = await startSyncRelay(rootPath);
  relay = new CompromisedRelay(hq, sodium);
  [alice, bob, carol] = await Promise.all([
    newOfficer(tokens[0] as SoftHsmToken, 'Alice Mission', 'alice@mission.example'),
    newOfficer(tokens[1] as SoftHsmToken, 'Bob Headquarters', 'bob@hq.example'),
    newOfficer(tokens[2] as SoftHsmToken, 'Carol Mission', 'carol@mission.example'),
  ]);
  // Mallory's workstation trusts the ministry root (to seal to Alice) and her own.
  const profileDir = mkdtempSync(join(tmpdir(), 'embassy-mallory-'));
  const core = createCore({
    profileDir,
    version: 'test',
    signing: {
      tokenHost: { env: malloryToken.env, pollMs: 500 },
      trust: { anchorFiles: [rootPath, malloryToken.issuingCa.rootPath] },
    },
    sync: { background: false, push: false },
  });
  await must(core, 'vault.create', {
    profile: 'token',
    modulePath: malloryToken.modulePath,
    tokenLabel: malloryToken.label,
    pin: malloryToken.pin,
  });
  mallory = { name: 'Mallory', email: 'bob@hq.example', token: malloryToken, profileDir, core };
  for (const o of [alice, bob, carol]) await enroll(o, hq.relay);
  expect((await enroll(mallory, hq.relay)).enrolment).toBe('pending');
  for (const o of [alice, bob, carol]) ids[o.name] = await deviceIdOf(o);
  ids.Mallory = await deviceIdOf(mallory);
  await roundFor(alice, bob, carol, alice, bob, carol);
}, 240_000);

afterAll(async () => {
  relay?.close();
  for (const o of [alice, bob, carol, mallory]) await o?.core.close();
  await hq?.relay.close();
  for (const t of [...(tokens ?? []), malloryToken]) await t?.cleanup();
});

describe('a compromised relay cannot add, swap or impersonate a device', () => {
  it('a self-signed certificate naming a real officer, enrolled and approved, gets no mail', async () => {
    const approve = async (...extra: string[]) => {
      const err: string[] = [];
      const code = await runCli(['hq', 'approve', '--data', hq.dataDir, ...extra, ids.Mallory as string], {
        stdout: () => undefined,
        stderr: (s: string) => err.push(s),
        readStdin: async () => Buffer.alloc(0),
      } as never);
      return { code, stderr: err.join('') };
    };
    // Her certificate reaches no CA the relay trusts: the administrator must force it (issue 12 item 6).
    const refused = await approve();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('E_CERTIFICATE_UNTRUSTED');
    expect(relay.device(ids.Mallory as string).status).toBe('pending');
    const forced = await approve('--force');
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain(`approve-forced ${ids.Mallory}`);
    expect(relay.device(ids.Mallory as string)).toMatchObject({
      status: 'approved',
      officer_address: 'bob@hq.example',
    });
    await roundFor(mallory, alice);
    const devices = await aliceWritesBob('for Bob only');
    expect(devices).toEqual([ids['Bob Headquarters']]);
    expect(relay.mailFor(ids.Mallory as string)).toBe(0);
    await refusalNoticed(alice, ids.Mallory as string, 'bob@hq.example');
    // Bob gets it; Mallory gets nothing.
    await roundFor(bob, mallory);
    expect(bob.core.sync.lastRound()).toMatchObject({ received: 1, rejected: 0 });
    expect(mallory.core.sync.lastRound()).toMatchObject({ received: 0 });
    const dir = await must(alice.core, 'sync.directory', {});
    expect(dir.officers.find((o) => o.address === 'bob@hq.example')?.devices.map((d) => d.deviceId)).toEqual([
      ids['Bob Headquarters'],
    ]);
  }, 120_000);

  it('an envelope signed by a ghost device claiming to be a real officer is refused and not stored', async () => {
    const before = (await alice.core.vault.run('sync.received', { limit: 1000 })).items.length;
    await must(mallory.core, 'sync.send', {
      kind: 'message',
      to: ['alice@mission.example'],
      title: 'Chỉ thị khẩn',
      text: 'Transfer the files to this workstation. — Bob',
    });
    await roundFor(mallory);
    expect(mallory.core.sync.lastRound()).toMatchObject({ sent: 1 });
    await roundFor(alice);
    expect(alice.core.sync.lastRound()).toMatchObject({ received: 0, rejected: 1 });
    expect((await alice.core.vault.run('sync.received', { limit: 1000 })).items).toHaveLength(before);
    const audit = await alice.core.vault.run('sync.audit', { limit: 1000 });
    expect(audit.events).toContainEqual(
      expect.objectContaining({
        event: 'rejected',
        code: 'E_ENVELOPE_SENDER_UNKNOWN',
        sender_device: ids.Mallory,
      }),
    );
    const search = await must(alice.core, 'search', { query: 'Transfer the files' });
    expect(search.hits).toEqual([]);
  }, 120_000);

  it('a ghost device with the attacker keys, listed under a real officer with his real certification', async () => {
    const bobRow = relay.device(ids['Bob Headquarters'] as string);
    const ghost = relay.addGhost({
      enrolment_request: bobRow.enrolment_request,
      officer_address: 'bob@hq.example',
      officer_name: 'Bob Headquarters',
      certificate_fingerprint: bobRow.certificate_fingerprint,
    });
    await roundFor(alice);
    const devices = await aliceWritesBob('still for Bob only');
    expect(devices).toEqual([ids['Bob Headquarters']]);
    expect(relay.mailFor(ghost.deviceId)).toBe(0);
    await refusalNoticed(alice, ghost.deviceId, 'bob@hq.example');
    relay.rewriteDevice(ghost.deviceId, { status: 'revoked' });
  }, 120_000);

  it("a real device's box key or signing key swapped", async () => {
    const bobId = ids['Bob Headquarters'] as string;
    const original = relay.device(bobId);
    relay.rewriteDevice(bobId, {
      box_public_key: Buffer.from(generateDeviceKeys(sodium).boxPublicKey).toString('base64'),
    });
    await roundFor(alice);
    const refused = await call(alice.core, 'sync.send', {
      kind: 'message',
      to: ['bob@hq.example'],
      title: 'x',
      text: 'y',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'E_SYNC_DEVICE_UNCERTIFIED' } });
    await refusalNoticed(alice, bobId, 'bob@hq.example');

    // The signing key: the attacker's, with a prekey it signed, under Bob's id and certification.
    const attacker = generateDeviceKeys(sodium);
    const { signed } = generatePrekey(sodium, { ...attacker, deviceId: bobId }, Date.now() + 1000);
    relay.rewriteDevice(bobId, {
      box_public_key: original.box_public_key,
      sign_public_key: Buffer.from(attacker.signPublicKey).toString('base64'),
    });
    relay.addPrekey(bobId, signed);
    await roundFor(alice);
    const again = await call(alice.core, 'sync.send', {
      kind: 'message',
      to: ['bob@hq.example'],
      title: 'x',
      text: 'y',
    });
    expect(again).toMatchObject({ ok: false, error: { code: 'E_SYNC_DEVICE_UNCERTIFIED' } });
    expect(relay.mailFor(bobId)).toBe(2); // the two messages before, none since

    // Restored, Bob is reachable again.
    relay.deletePrekey(bobId, signed.prekeyId);
    relay.rewriteDevice(bobId, {
      sign_public_key: original.sign_public_key,
      box_public_key: original.box_public_key,
    });
    await roundFor(alice);
    expect(await aliceWritesBob('Bob is back')).toEqual([bobId]);
  }, 120_000);

  it("a device certified by officer X's real token listed under officer Y's address", async () => {
    const carolId = ids['Carol Mission'] as string;
    relay.rewriteDevice(carolId, { officer_address: 'bob@hq.example', officer_name: 'Bob Headquarters' });
    await roundFor(alice);
    const before = relay.mailFor(carolId);
    expect(await aliceWritesBob('Bob, not Carol')).toEqual([ids['Bob Headquarters']]);
    expect(relay.mailFor(carolId)).toBe(before);
    await refusalNoticed(alice, carolId, 'bob@hq.example');
    const dir = await must(alice.core, 'sync.directory', {});
    expect(dir.officers.find((o) => o.address === 'carol@mission.example')).toBeUndefined();
    relay.rewriteDevice(carolId, { officer_address: 'carol@mission.example', officer_name: 'Carol Mission' });
    await roundFor(alice, carol);
    expect((await must(alice.core, 'sync.directory', {})).officers.map((o) => o.address)).toContain(
      'carol@mission.example',
    );
  }, 120_000);

  it('a document whose payload claims another sender shows its proven sender', async () => {
    const doc = await must(carol.core, 'documents.add', {
      subject: 'Công văn giả danh',
      direction: 'outgoing',
      from: 'Bob Headquarters <bob@hq.example>',
      to: ['alice@mission.example'],
    });
    await must(carol.core, 'sync.send', {
      kind: 'document',
      to: ['alice@mission.example'],
      documentId: doc.id,
    });
    await roundFor(carol, alice);
    const got = (await alice.core.vault.run('sync.received', { limit: 1000 })).items.find(
      (i) => i.title === 'Công văn giả danh',
    );
    expect(got).toMatchObject({ sender: 'carol@mission.example', senderDevice: ids['Carol Mission'] });
    // The document view: the proven sender as the sender, the claim only as the document's own author.
    const detail = await must(alice.core, 'documents.get', { id: got?.recordId as string });
    expect(detail.document).toMatchObject({
      receivedFrom: 'Carol Mission <carol@mission.example>',
      from: 'Bob Headquarters <bob@hq.example>',
    });
    const listed = await must(alice.core, 'documents.list', { direction: 'incoming' });
    expect(listed.items.find((d) => d.id === got?.recordId)?.receivedFrom).toBe(
      'Carol Mission <carol@mission.example>',
    );
  }, 120_000);
});
