import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core';
import {
  EnvelopeError,
  openEnvelope,
  parseEnvelopeFrame,
  unwrapContentKey,
} from '../../electron/core/sync/envelope';
import { asPrekeySecretKey } from '../../electron/core/sync/device-keys';
import { asPassphraseWrapped } from '../../electron/core/vault/key-wrapper';
import { readKeyFile } from '../../electron/core/vault/key-file';
import { createPassphraseWrapper } from '../../electron/core/vault/passphrase-wrapper';
import { loadSodium } from '../../electron/core/vault/sodium';
import { openVaultDatabase } from '../../electron/core/vault/vault-db';
import { asVaultKey } from '../../electron/core/vault/vault-key';
import { vaultPaths } from '../../electron/core/vault/vault-service';
import type { SoftHsmToken } from '../fixtures/softhsm';
import { must, PASSPHRASE } from './vault-harness';
import {
  enroll,
  makeOfficers,
  newOfficer,
  relayItemBytes,
  startSyncRelay,
  type Officer,
  type TestRelayServer,
} from './sync-harness';

/**
 * Forward secrecy, end to end: an envelope recorded from the relay's storage, the receiver's
 * prekeys rotated past the grace window (the old secret deleted), then everything the
 * receiver's device still holds — taken from its vault as an attacker with the device, the
 * token and the PIN would — does not open the recording.
 *
 * The receiver's vault is a passphrase profile so the test can open its database as that
 * attacker; it still enrols with its token's signature. Its prekey policy is shortened to
 * seconds (rotation 2 s, grace 2 s) so the window passes within the test.
 */

let tokens: SoftHsmToken[];
let hq: TestRelayServer;
let alice: Officer;
let bob: Core;
let bobProfile: string;
let bobToken: SoftHsmToken;
const POLICY = { rotateEveryMs: 2_000, graceMs: 2_000 };

beforeAll(async () => {
  let rootPath: string;
  ({ tokens, rootPath } = await makeOfficers([
    { name: 'Alice Sender', email: 'alice@mission.example', label: 'fs-alice' },
    { name: 'Bob Receiver', email: 'bob@hq.example', label: 'fs-bob' },
  ]));
  hq = await startSyncRelay(rootPath);
  alice = await newOfficer(tokens[0] as SoftHsmToken, 'Alice Sender', 'alice@mission.example');
  bobToken = tokens[1] as SoftHsmToken;
  bobProfile = mkdtempSync(join(tmpdir(), 'embassy-fs-bob-'));
  bob = createCore({
    profileDir: bobProfile,
    version: 'test',
    signing: {
      tokenHost: { env: bobToken.env, pollMs: 500 },
      modulePath: bobToken.modulePath,
      // The ministry root, pinned as IT would: officers' identities chain to it.
      trust: { anchorFiles: [rootPath] },
    },
    sync: { background: false, push: false, prekeyPolicy: POLICY },
  });
  await must(bob, 'vault.create', { profile: 'passphrase', passphrase: PASSPHRASE });
  await enroll(alice, hq.relay);
  await must(bob, 'sync.enroll', {
    hqUrl: hq.relay.url,
    fingerprint: hq.relay.fingerprint,
    token: { label: bobToken.label },
    pin: bobToken.pin,
  });
  for (const c of [alice.core, bob, alice.core]) await must(c, 'sync.now', {});
}, 240_000);

afterAll(async () => {
  await alice?.core.close();
  await bob?.close();
  await hq?.relay.close();
  for (const t of tokens ?? []) await t.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sync: forward secrecy', () => {
  it('a recorded envelope stays closed once the prekey it used is rotated out and deleted', async () => {
    const secret = `FS-CANARY-${Date.now()}`;
    await must(alice.core, 'sync.send', {
      kind: 'message',
      to: ['bob@hq.example'],
      title: 'fs',
      text: secret,
    });
    await must(alice.core, 'sync.now', {});
    // The relay's storage, recorded by an adversary: the one item it holds.
    const held = relayItemBytes(hq.dataDir);
    expect(held).toHaveLength(1);
    const recorded = held[0] as Uint8Array;

    // Bob receives it: while his prekey is held, it opens.
    await must(bob, 'sync.now', {});
    const got = (await bob.vault.run('sync.received', { limit: 10 })).items;
    expect(got.map((i) => i.text)).toEqual([secret]);

    // Time passes: rounds rotate the prekey, and past the grace window delete the old secret.
    let deleted = false;
    for (let i = 0; i < 12 && !deleted; i++) {
      await sleep(1_000);
      await must(bob, 'sync.now', {});
      const audit = (await bob.vault.run('sync.audit', { limit: 1000 })).events;
      deleted = audit.some((e) => e.event === 'prekeys-deleted');
    }
    expect(deleted).toBe(true);
    await must(bob, 'vault.lock', {});

    // The device is compromised: disk, passphrase. Everything its vault holds is handed over.
    const sodium = await loadSodium();
    const keyFile = await readKeyFile(vaultPaths(bobProfile).keyFile);
    const wrapper = keyFile.wrappers.find((w) => w.kind === 'passphrase');
    const key = await createPassphraseWrapper(sodium).unwrap(
      asPassphraseWrapped(wrapper as never),
      new Uint8Array(Buffer.from(PASSPHRASE)),
      { vaultId: keyFile.vaultId },
    );
    const db = openVaultDatabase(vaultPaths(bobProfile).db, asVaultKey(key), false);
    const identity = db.prepare('SELECT * FROM sync_identity').get() as {
      device_id: string;
      sign_secret: Buffer;
      box_public: Buffer;
      box_secret: Buffer;
    };
    const prekeys = db
      .prepare('SELECT prekey_id, public_key, secret_key, created_at FROM sync_prekeys')
      .all() as {
      prekey_id: string;
      public_key: Buffer;
      secret_key: Buffer;
      created_at: number;
    }[];
    const directory = JSON.parse(
      Buffer.from((db.prepare('SELECT bytes FROM sync_directory').get() as { bytes: Buffer }).bytes).toString(
        'utf8',
      ),
    ) as { officers: { devices: { deviceId: string; signPublicKey: string }[] }[] };
    db.close();
    expect(prekeys.length).toBeGreaterThan(0);
    const senderKey = new Map<string, { signPublicKey: Uint8Array; revoked: boolean }>();
    for (const o of directory.officers) {
      for (const d of o.devices) {
        senderKey.set(d.deviceId, {
          signPublicKey: new Uint8Array(Buffer.from(d.signPublicKey, 'base64')),
          revoked: false,
        });
      }
    }

    const frame = parseEnvelopeFrame(recorded);
    const wrap = frame.header.wraps.find((w) => w.deviceId === identity.device_id);
    expect(wrap).toBeDefined();
    // The prekey it was sealed to is gone from the vault.
    expect(prekeys.map((p) => p.prekey_id)).not.toContain(wrap?.prekeyId);

    // Opening through the envelope API, each held prekey offered under the recorded id, fails
    // at the unwrap (the sender's genuine signature verifies first) …
    let opened = false;
    for (const p of prekeys) {
      try {
        openEnvelope(sodium, recorded, {
          recipientDeviceId: identity.device_id,
          prekeySecret: () => ({
            prekeyId: wrap?.prekeyId ?? '',
            publicKey: new Uint8Array(p.public_key),
            secretKey: asPrekeySecretKey(new Uint8Array(p.secret_key)),
            createdAt: p.created_at,
          }),
          senderKey: (id) => senderKey.get(id),
        });
        opened = true;
      } catch (e) {
        expect(e).toBeInstanceOf(EnvelopeError);
        expect((e as EnvelopeError).code).toBe('E_ENVELOPE_DECRYPT');
      }
    }
    expect(opened).toBe(false);
    // … and so does the unwrap step itself with each current secret: prekeys and the long-term box key.
    const candidates = [
      ...prekeys.map((p) => ({ secret: new Uint8Array(p.secret_key), pub: new Uint8Array(p.public_key) })),
      { secret: new Uint8Array(identity.box_secret), pub: new Uint8Array(identity.box_public) },
    ];
    for (const c of candidates) {
      expect(() => unwrapContentKey(sodium, frame.header, wrap as never, c.secret, c.pub)).toThrow();
    }
    // The canary is in none of the vault's files as plaintext either (they are encrypted).
    const { canaryHits } = await import('./sync-harness');
    expect(canaryHits(bobProfile, [secret])).toEqual([]);
  }, 120_000);
});
