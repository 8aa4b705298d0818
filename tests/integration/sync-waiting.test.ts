import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SoftHsmToken } from '../fixtures/softhsm';
import {
  enroll,
  makeOfficers,
  newOfficer,
  officerCore,
  startSyncRelay,
  type Officer,
  type TestRelayServer,
} from './sync-harness';
import { call, must } from './vault-harness';

/**
 * Send now, seal when keys arrive (issue 12, item 5): Dave is enrolled and approved but has not
 * synced, so HQ lists him without a prekey. Alice's send to him waits in her outbox, survives a
 * restart of her workstation, and is sealed and delivered once Dave's keys appear.
 */

let tokens: SoftHsmToken[];
let hq: TestRelayServer;
let alice: Officer;
let dave: Officer;

beforeAll(async () => {
  let rootPath: string;
  ({ tokens, rootPath } = await makeOfficers([
    { name: 'Alice Mission', email: 'alice@mission.example', label: 'wait-alice' },
    { name: 'Dave Headquarters', email: 'dave@hq.example', label: 'wait-dave' },
  ]));
  hq = await startSyncRelay(rootPath);
  alice = await newOfficer(tokens[0] as SoftHsmToken, 'Alice Mission', 'alice@mission.example');
  dave = await newOfficer(tokens[1] as SoftHsmToken, 'Dave Headquarters', 'dave@hq.example');
  await enroll(alice, hq.relay);
  expect((await enroll(dave, hq.relay)).enrolment).toBe('approved');
  await must(alice.core, 'sync.now', {});
}, 240_000);

afterAll(async () => {
  for (const o of [alice, dave]) await o?.core.close();
  await hq?.relay.close();
  for (const t of tokens ?? []) await t.cleanup();
});

describe('a send to an approved recipient without keys yet', () => {
  it('waits in the outbox across a restart and is delivered once the recipient syncs', async () => {
    const text = 'Kính gửi anh Dave: hồ sơ chờ khoá.';
    const dir = await must(alice.core, 'sync.directory', {});
    expect(dir.officers.find((o) => o.address === 'dave@hq.example')).toMatchObject({ reachable: false });
    const sent = await must(alice.core, 'sync.send', {
      kind: 'message',
      to: ['dave@hq.example'],
      title: 'chờ',
      text,
    });
    expect(sent.items).toEqual([
      expect.objectContaining({ state: 'waiting', recipientAddress: 'dave@hq.example', title: 'chờ' }),
    ]);
    // An address HQ does not list still fails at once: nothing is held for a typo.
    const unknown = await call(alice.core, 'sync.send', {
      kind: 'message',
      to: ['nobody@hq.example'],
      title: 'x',
      text: 'y',
    });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'E_SYNC_RECIPIENT_UNAVAILABLE' } });

    // Alice's workstation restarts: the waiting send is in her vault.
    await alice.core.close();
    alice.core = officerCore(alice.token, alice.profileDir);
    await must(alice.core, 'vault.unlock', { pin: alice.token.pin });
    await must(alice.core, 'sync.now', {});
    expect((await must(alice.core, 'sync.outbox', {})).items.map((i) => i.state)).toEqual(['waiting']);

    // Dave syncs (his prekey is published); Alice's next round seals and sends.
    await must(dave.core, 'sync.now', {});
    await must(alice.core, 'sync.now', {});
    expect(alice.core.sync.lastRound()).toMatchObject({ sent: 1, errors: [] });
    const outbox = (await must(alice.core, 'sync.outbox', {})).items;
    expect(outbox.map((i) => i.state)).toEqual(['sent']);
    await must(dave.core, 'sync.now', {});
    expect(dave.core.sync.lastRound()).toMatchObject({ received: 1, rejected: 0 });
    const got = (await dave.core.vault.run('sync.received', { limit: 10 })).items;
    expect(got.map((i) => [i.text, i.sender])).toEqual([[text, 'alice@mission.example']]);
    // Once: another round sends nothing more.
    await must(alice.core, 'sync.now', {});
    expect(alice.core.sync.lastRound()).toMatchObject({ sent: 0 });
  }, 180_000);
});
