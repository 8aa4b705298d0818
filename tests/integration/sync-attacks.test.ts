import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/embassy';
import { assembleEnvelope, parseEnvelopeFrame, sealEnvelope } from '../../electron/core/sync/envelope';
import { generateDeviceKeys } from '../../electron/core/sync/prekeys';
import { encodePayload } from '../../electron/core/sync/payload';
import { loadSodium } from '../../electron/core/vault/sodium';
import { RELAY_DB_FILE } from '../../hq/storage/sqlite-relay-store';
import type { SoftHsmToken } from '../fixtures/softhsm';
import { must } from './vault-harness';
import {
  enroll,
  makeOfficers,
  newOfficer,
  startSyncRelay,
  type Officer,
  type TestRelayServer,
} from './sync-harness';

/**
 * The relay is not trusted: it may alter, swap, replay, reorder, truncate or forge what it
 * stores. Here the test plays that relay by editing its own store (the SQLite metadata and the
 * item files) between the sender's upload and the receiver's download, keeping the digest the
 * relay advertises consistent, as a malicious relay would. Each time the receiver refuses
 * with a typed error, stores nothing, and writes an audit event.
 */

let tokens: SoftHsmToken[];
let hq: TestRelayServer;
let alice: Officer; // mission
let bob: Officer; // HQ, the receiver
let carol: Officer; // another mission, revoked later
let db: InstanceType<typeof Database>;

interface MailRow {
  id: string;
  recipient: string;
  sender: string;
  envelope_id: string;
  size: number;
  sha256: string;
  state: string;
  cursor: number;
}

const blobPath = (id: string) => join(hq.dataDir, 'blobs', id);

/** An item's bytes where the relay keeps them: in its database (sent whole) or a file. */
function readItem(id: string): Uint8Array {
  const row = db.prepare('SELECT data FROM item_bytes WHERE item_id = ?').get(id) as
    { data: Buffer } | undefined;
  return new Uint8Array(row ? row.data : readFileSync(blobPath(id)));
}

/** Replaces an item's bytes where the relay keeps them (a new item's go to a file). */
function writeItem(id: string, bytes: Uint8Array): void {
  const r = db.prepare('UPDATE item_bytes SET data = ? WHERE item_id = ?').run(Buffer.from(bytes), id);
  if (r.changes === 0) writeFileSync(blobPath(id), bytes);
}
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  let rootPath: string;
  ({ tokens, rootPath } = await makeOfficers([
    { name: 'Alice Mission', email: 'alice@mission.example', label: 'alice' },
    { name: 'Bob Headquarters', email: 'bob@hq.example', label: 'bob' },
    { name: 'Carol Mission', email: 'carol@mission.example', label: 'carol' },
  ]));
  hq = await startSyncRelay(rootPath);
  [alice, bob, carol] = await Promise.all([
    newOfficer(tokens[0] as SoftHsmToken, 'Alice Mission', 'alice@mission.example'),
    newOfficer(tokens[1] as SoftHsmToken, 'Bob Headquarters', 'bob@hq.example'),
    newOfficer(tokens[2] as SoftHsmToken, 'Carol Mission', 'carol@mission.example'),
  ]);
  for (const o of [alice, bob, carol]) await enroll(o, hq.relay);
  for (const o of [alice, bob, carol, alice, bob, carol]) await must(o.core, 'sync.now', {});
  db = new Database(join(hq.dataDir, RELAY_DB_FILE));
  db.pragma('busy_timeout = 5000');
  // The relay's own data: nothing it stores constrains what a malicious relay may write.
  db.pragma('foreign_keys = OFF');
}, 240_000);

afterAll(async () => {
  db?.close();
  for (const o of [alice, bob, carol]) await o?.core.close();
  await hq?.relay.close();
  for (const t of tokens ?? []) await t.cleanup();
});

async function deviceId(o: Officer): Promise<string> {
  return (await must(o.core, 'sync.status', {})).deviceId as string;
}

/**
 * Alice sends Bob a message, or with `pad` a document with that many random bytes attached
 * (several secretstream chunks), and uploads it.
 */
async function aliceSends(text: string, pad = 0): Promise<MailRow> {
  const before = (db.prepare('SELECT count(*) AS n FROM mail_items').get() as { n: number }).n;
  if (pad === 0) {
    await must(alice.core, 'sync.send', { kind: 'message', to: ['bob@hq.example'], title: 'attack', text });
  } else {
    const doc = await must(alice.core, 'documents.add', { subject: text, direction: 'outgoing' });
    await must(alice.core, 'attachments.add', {
      documentId: doc.id,
      name: 'padding.bin',
      source: { kind: 'bytes', base64: randomBytes(pad).toString('base64') },
    });
    await must(alice.core, 'sync.send', { kind: 'document', to: ['bob@hq.example'], documentId: doc.id });
  }
  await must(alice.core, 'sync.now', {});
  const rows = db
    .prepare("SELECT * FROM mail_items WHERE state = 'complete' ORDER BY cursor")
    .all() as MailRow[];
  expect(rows.length).toBeGreaterThan(0);
  expect((db.prepare('SELECT count(*) AS n FROM mail_items').get() as { n: number }).n).toBe(before + 1);
  return rows[rows.length - 1] as MailRow;
}

/** Rewrites an item's bytes and the digest and size the relay advertises. */
function tamper(row: MailRow, bytes: Uint8Array) {
  writeItem(row.id, bytes);
  db.prepare('UPDATE mail_items SET sha256 = ?, size = ?, received = ? WHERE id = ?').run(
    sha(bytes),
    bytes.length,
    bytes.length,
    row.id,
  );
}

/** Inserts a complete item the relay made up, at the end of Bob's mailbox. */
function inject(bytes: Uint8Array, sender: string, recipient: string) {
  const id = randomBytes(16).toString('hex');
  writeItem(id, bytes);
  db.prepare(
    `INSERT INTO mail_items (id, recipient, sender, envelope_id, size, sha256, state, received, cursor, created_at)
     VALUES (?, ?, ?, ?, ?, ?, 'complete', ?, (SELECT COALESCE(MAX(cursor), 0) + 1 FROM mail_items), ?)`,
  ).run(
    id,
    recipient,
    sender,
    `forged_${id.slice(0, 12)}`,
    bytes.length,
    sha(bytes),
    bytes.length,
    Date.now(),
  );
}

/** Bob syncs; returns what his round did and the audit events it added. */
async function bobReceives() {
  const before = (await bob.core.vault.run('sync.audit', { limit: 10_000 })).events.length;
  const received = (await bob.core.vault.run('sync.received', { limit: 10_000 })).items.length;
  await must(bob.core, 'sync.now', {});
  const audit = (await bob.core.vault.run('sync.audit', { limit: 10_000 })).events;
  const after = (await bob.core.vault.run('sync.received', { limit: 10_000 })).items.length;
  return {
    round: bob.core.sync.lastRound(),
    newEvents: audit.slice(0, audit.length - before),
    stored: after - received,
  };
}

function expectRefused(r: Awaited<ReturnType<typeof bobReceives>>, codes: readonly string[]) {
  expect(r.stored).toBe(0);
  expect(r.round).toMatchObject({ received: 0, rejected: 1 });
  const rejected = r.newEvents.filter((e) => e.event === 'rejected');
  expect(rejected).toHaveLength(1);
  expect(codes).toContain(rejected[0]?.code);
}

describe('sync: a malicious relay is refused by the receiver', () => {
  it('a flipped byte in each part (header, recipients, ciphertext, signature)', async () => {
    for (const where of [10, 60, 0.5, -40, -1]) {
      const row = await aliceSends(`flip ${where}`, 200_000);
      const bytes = readItem(row.id);
      const at = where < 0 ? bytes.length + where : where < 1 ? Math.floor(bytes.length * where) : where;
      bytes[at] = (bytes[at] as number) ^ 0x01;
      tamper(row, bytes);
      expectRefused(await bobReceives(), [
        'E_ENVELOPE_MALFORMED',
        'E_ENVELOPE_VERSION',
        'E_ENVELOPE_SIGNATURE',
        'E_ENVELOPE_SENDER_MISMATCH',
        'E_ENVELOPE_SENDER_UNKNOWN',
      ]);
    }
  }, 180_000);

  it('a swapped sender', async () => {
    const row = await aliceSends('swapped sender');
    db.prepare('UPDATE mail_items SET sender = ? WHERE id = ?').run(await deviceId(carol), row.id);
    expectRefused(await bobReceives(), ['E_ENVELOPE_SENDER_MISMATCH']);
  }, 60_000);

  it('a replayed old envelope', async () => {
    const row = await aliceSends('replayed');
    const kept = readItem(row.id);
    const first = await bobReceives();
    expect(first.stored).toBe(1);
    inject(kept, row.sender, row.recipient);
    expectRefused(await bobReceives(), ['E_ENVELOPE_REPLAY']);
  }, 60_000);

  it('reordered, dropped and truncated ciphertext chunks', async () => {
    const CHUNK = 64 * 1024 + 17; // secretstream: 64 KiB of plaintext + its 17-byte overhead
    const reorder = await aliceSends('reordered', 300_000);
    let bytes = readItem(reorder.id);
    const tail = bytes.length - 64 - 3 * CHUNK; // somewhere inside the chunk run, whole chunks
    const a = bytes.slice(tail, tail + CHUNK);
    const b = bytes.slice(tail + CHUNK, tail + 2 * CHUNK);
    bytes.set(b, tail);
    bytes.set(a, tail + CHUNK);
    tamper(reorder, bytes);
    expectRefused(await bobReceives(), [
      'E_ENVELOPE_SIGNATURE',
      'E_ENVELOPE_MALFORMED',
      'E_ENVELOPE_DECRYPT',
    ]);

    const dropped = await aliceSends('dropped', 300_000);
    bytes = readItem(dropped.id);
    tamper(dropped, new Uint8Array([...bytes.subarray(0, tail), ...bytes.subarray(tail + CHUNK)]));
    expectRefused(await bobReceives(), [
      'E_ENVELOPE_SIGNATURE',
      'E_ENVELOPE_MALFORMED',
      'E_ENVELOPE_TRUNCATED',
    ]);

    const truncated = await aliceSends('truncated', 300_000);
    bytes = readItem(truncated.id);
    tamper(truncated, bytes.subarray(0, bytes.length - 1000));
    expectRefused(await bobReceives(), [
      'E_ENVELOPE_SIGNATURE',
      'E_ENVELOPE_MALFORMED',
      'E_ENVELOPE_TRUNCATED',
    ]);
  }, 180_000);

  it("an envelope the relay made with its own keys, in Alice's name", async () => {
    const sodium = await loadSodium();
    const relayKeys = generateDeviceKeys(sodium);
    const aliceId = await deviceId(alice);
    const bobId = await deviceId(bob);
    // The relay knows Bob's published prekey (it is in the directory it serves).
    const prekey = db
      .prepare('SELECT * FROM prekeys WHERE device = ? ORDER BY created_at DESC LIMIT 1')
      .get(bobId) as
      { prekey_id: string; public_key: string; created_at: number; signature: string } | undefined;
    expect(prekey).toBeDefined();
    const devices = db.prepare('SELECT id, sign_public_key FROM devices WHERE id = ?').get(bobId) as {
      sign_public_key: string;
    };
    const own = sealEnvelope(sodium, {
      sender: relayKeys,
      envelopeId: `forged-${randomBytes(6).toString('hex')}`,
      seq: 1_000_000,
      createdAt: Date.now(),
      kind: 'message',
      recipients: [
        {
          deviceId: bobId,
          signPublicKey: new Uint8Array(Buffer.from(devices.sign_public_key, 'base64')),
          prekey: {
            deviceId: bobId,
            prekeyId: prekey?.prekey_id ?? '',
            publicKey: new Uint8Array(Buffer.from(prekey?.public_key ?? '', 'base64')),
            createdAt: prekey?.created_at ?? 0,
            signature: new Uint8Array(Buffer.from(prekey?.signature ?? '', 'base64')),
          },
        },
      ],
      payload: encodePayload({
        kind: 'message',
        title: 'forged',
        text: 'from the relay',
        sentAt: Date.now(),
        senderAddress: 'alice@mission.example',
        senderName: 'Alice Mission',
      }),
    });
    // Now put Alice's id in the header and sign it again with the relay's key.
    const frame = parseEnvelopeFrame(own);
    const head = own.slice(0, frame.bodyStart);
    const relayId = Buffer.from(relayKeys.deviceId, 'hex');
    const at = Buffer.from(head).indexOf(relayId);
    expect(at).toBeGreaterThan(0);
    head.set(Buffer.from(aliceId, 'hex'), at);
    const forged = assembleEnvelope(sodium, relayKeys.signSecretKey, head, frame.streamHeader, frame.chunks);
    inject(forged, aliceId, bobId);
    expectRefused(await bobReceives(), ['E_ENVELOPE_SIGNATURE']);
    // And in its own name: a sender HQ's directory does not know.
    inject(own, relayKeys.deviceId, bobId);
    expectRefused(await bobReceives(), ['E_ENVELOPE_SENDER_UNKNOWN']);
  }, 60_000);

  it('a message from a revoked device: the relay refuses the device, receivers refuse its mail and warn', async () => {
    const carolId = await deviceId(carol);
    await must(carol.core, 'sync.send', {
      kind: 'message',
      to: ['bob@hq.example'],
      title: 'late',
      text: 'from carol',
    });
    await must(carol.core, 'sync.now', {});
    expect(carol.core.sync.lastRound()).toMatchObject({ sent: 1 });
    const io = { out: '' };
    const code = await runCli(['hq', 'revoke', '--data', hq.dataDir, carolId], {
      stdout: (t: string) => {
        io.out += t;
      },
      stderr: () => undefined,
      readStdin: async () => Buffer.alloc(0),
    } as never);
    expect(code).toBe(0);
    // Carol's mail already in Bob's mailbox is refused once Bob learns of the revocation.
    expectRefused(await bobReceives(), ['E_ENVELOPE_SENDER_REVOKED']);
    // The relay refuses Carol from now on.
    await must(carol.core, 'sync.now', {}).catch(() => undefined);
    expect((await must(carol.core, 'sync.status', {})).enrolment).toBe('revoked');
    // Alice stops encrypting to Carol, and is warned.
    await must(alice.core, 'sync.now', {});
    const status = await must(alice.core, 'sync.status', {});
    expect(status.warnings).toContainEqual(
      expect.objectContaining({
        kind: 'device-revoked',
        address: 'carol@mission.example',
        deviceId: carolId,
      }),
    );
    const refused = await alice.core.dispatch(
      'sync.send',
      { kind: 'message', to: ['carol@mission.example'], title: 'x', text: 'y' },
      { transport: 'direct' },
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'E_SYNC_RECIPIENT_UNAVAILABLE' } });
  }, 120_000);
});
