import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay } from '../../hq/server/relay-server';
import { loadSodium } from '../../electron/core/vault/sodium';
import type { SoftHsmToken } from '../fixtures/softhsm';
import { CompromisedRelay, type Branch } from './compromised-relay';
import {
  enroll,
  makeOfficers,
  newOfficer,
  startSyncRelay,
  type Officer,
  type TestRelayServer,
} from './sync-harness';
import { must } from './vault-harness';

/**
 * The directory rolled back, or forked (issue 12 item 2), by a fully compromised relay
 * (compromised-relay.ts: it owns the relay's database and HQ's directory key). HQ revokes
 * Carol's stolen laptop; the relay shows Alice that history, and Bob another one of the same
 * serial in which Carol's device is still approved (so Bob would keep sealing to the thief).
 * Each client's directory verifies on its own. They must notice within one exchange of mail
 * between them: each envelope's signed header carries its sender's directory head.
 */

let tokens: SoftHsmToken[];
let hq: TestRelayServer;
let relay: CompromisedRelay;
let alice: Officer;
let bob: Officer;
let carol: Officer;
const ids: Record<string, string> = {};
let rootPath: string;
let common = 0;
let seenByAlice: Branch;
let seenByBob: Branch;

const deviceIdOf = async (o: Officer) => (await must(o.core, 'sync.status', {})).deviceId as string;
const serialOf = async (o: Officer) => (await must(o.core, 'sync.directory', {})).serial;
const carolStatus = async (o: Officer) =>
  (await must(o.core, 'sync.directory', {})).officers.find((x) => x.address === 'carol@mission.example')
    ?.devices[0]?.status;

async function roundFor(...officers: Officer[]) {
  for (const o of officers) await must(o.core, 'sync.now', {});
}

async function warnings(o: Officer) {
  return (await must(o.core, 'sync.status', {})).warnings;
}

async function audit(o: Officer) {
  return (await o.core.vault.run('sync.audit', { limit: 1000 })).events;
}

/**
 * The attacker restarts its relay process on the same port after rewriting its data (so that
 * no version the process signed before stays in its memory), then shows `branch` if given.
 */
async function restart(branch?: Branch) {
  if (branch) relay.showBranch(branch);
  await hq.relay.close();
  const relayProcess = await startRelay({
    dataDir: hq.dataDir,
    host: '127.0.0.1',
    port: hq.relay.port,
    trustCaFiles: [rootPath],
    log: (l) => hq.logs.push(l),
  });
  hq = { ...hq, relay: relayProcess };
}

async function writes(from: Officer, to: Officer, text: string) {
  await must(from.core, 'sync.send', { kind: 'message', to: [to.email], title: 'split', text });
  await roundFor(from);
}

beforeAll(async () => {
  const sodium = await loadSodium();
  ({ tokens, rootPath } = await makeOfficers([
    { name: 'Alice Mission', email: 'alice@mission.example', label: 'fk-alice' },
    { name: 'Bob Headquarters', email: 'bob@hq.example', label: 'fk-bob' },
    { name: 'Carol Mission', email: 'carol@mission.example', label: 'fk-carol' },
  ]));
  hq = await startSyncRelay(rootPath);
  relay = new CompromisedRelay(hq, sodium);
  [alice, bob, carol] = await Promise.all([
    newOfficer(tokens[0] as SoftHsmToken, 'Alice Mission', 'alice@mission.example'),
    newOfficer(tokens[1] as SoftHsmToken, 'Bob Headquarters', 'bob@hq.example'),
    newOfficer(tokens[2] as SoftHsmToken, 'Carol Mission', 'carol@mission.example'),
  ]);
  for (const o of [alice, bob, carol]) await enroll(o, hq.relay);
  for (const o of [alice, bob, carol]) ids[o.email] = await deviceIdOf(o);
  await roundFor(alice, bob, carol, alice, bob, carol);
  // One history so far: both hold the same version.
  common = relay.serial();
  expect(await serialOf(alice)).toBe(common);
  expect(await serialOf(bob)).toBe(common);
}, 240_000);

afterAll(async () => {
  relay?.close();
  for (const o of [alice, bob, carol]) await o?.core.close();
  await hq?.relay.close();
  for (const t of tokens ?? []) await t?.cleanup();
});

describe('a compromised relay cannot fork or roll back the directory unnoticed', () => {
  it('two clients shown two histories of the same serial notice within one exchange of mail', async () => {
    const carolId = ids['carol@mission.example'] as string;
    // History X, shown to Alice: HQ revokes Carol's stolen laptop.
    relay.rewriteDevice(carolId, { status: 'revoked' });
    await roundFor(alice);
    seenByAlice = relay.saveBranch(common, [carolId]);
    // History Y, shown to Bob: the relay forgets X and signs the same serial with Carol approved.
    relay.forkAfter(common);
    relay.rewriteDevice(carolId, { status: 'approved' });
    await restart();
    await roundFor(bob);
    seenByBob = relay.saveBranch(common, [carolId]);
    expect(seenByBob.serial).toBe(seenByAlice.serial);
    expect(await serialOf(alice)).toBe(seenByAlice.serial);
    expect(await serialOf(bob)).toBe(seenByBob.serial);
    expect(await carolStatus(alice)).toBe('revoked');
    expect(await carolStatus(bob)).toBe('approved');
    // Each directory verified on its own: nothing noticed yet.
    for (const o of [alice, bob]) {
      expect((await warnings(o)).filter((w) => w.kind.startsWith('directory-'))).toEqual([]);
    }

    // One exchange of mail, each client kept on its own history by the relay.
    await restart(seenByAlice);
    await writes(alice, bob, 'from history X');
    await restart(seenByBob);
    await roundFor(bob);
    expect(bob.core.sync.lastRound()).toMatchObject({ received: 1, rejected: 0 });
    await writes(bob, alice, 'from history Y');
    await restart(seenByAlice);
    await roundFor(alice);
    expect(alice.core.sync.lastRound()).toMatchObject({ received: 1, rejected: 0 });

    // Both noticed: a visible warning naming the colleague whose head disagreed, and an audit line.
    for (const [me, them] of [
      [bob, alice],
      [alice, bob],
    ] as const) {
      expect(await warnings(me)).toContainEqual(
        expect.objectContaining({ kind: 'directory-split', address: them.email, deviceId: ids[them.email] }),
      );
      expect(await audit(me)).toContainEqual(
        expect.objectContaining({
          event: 'directory-split',
          code: 'E_SYNC_DIRECTORY_FORKED',
          sender_device: ids[them.email],
        }),
      );
    }
  });

  it('a client served the other history refuses it with a typed error and keeps its own', async () => {
    await restart(seenByBob);
    await must(alice.core, 'sync.now', {}).catch(() => undefined);
    const status = await must(alice.core, 'sync.status', {});
    expect(status.lastError?.code).toBe('E_SYNC_DIRECTORY_FORKED');
    expect(status.warnings).toContainEqual(
      expect.objectContaining({ kind: 'directory-forked', deviceId: ids['alice@mission.example'] }),
    );
    expect(await audit(alice)).toContainEqual(
      expect.objectContaining({ event: 'directory-forked', code: 'E_SYNC_DIRECTORY_FORKED' }),
    );
    expect(await serialOf(alice)).toBe(seenByAlice.serial);
    expect(await carolStatus(alice)).toBe('revoked');
    // Served again, it is refused again but noted once.
    await must(alice.core, 'sync.now', {}).catch(() => undefined);
    expect((await warnings(alice)).filter((w) => w.kind === 'directory-forked')).toHaveLength(1);
  });

  it('a client served an older version refuses the rollback and keeps what it had', async () => {
    // The relay goes back to the common version (Carol approved, the revocation hidden).
    relay.forkAfter(common);
    relay.rewriteDevice(ids['carol@mission.example'] as string, { status: 'approved' });
    relay.forkAfter(common);
    await restart();
    await must(alice.core, 'sync.now', {}).catch(() => undefined);
    const status = await must(alice.core, 'sync.status', {});
    expect(status.lastError?.code).toBe('E_SYNC_DIRECTORY_ROLLBACK');
    expect(status.warnings).toContainEqual(expect.objectContaining({ kind: 'directory-rollback' }));
    expect(await serialOf(alice)).toBe(seenByAlice.serial);
    expect(await carolStatus(alice)).toBe('revoked');
  });
});
