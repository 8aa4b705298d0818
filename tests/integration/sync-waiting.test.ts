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
let carol: Officer;

beforeAll(async () => {
  let rootPath: string;
  ({ tokens, rootPath } = await makeOfficers([
    { name: 'Alice Mission', email: 'alice@mission.example', label: 'wait-alice' },
    { name: 'Dave Headquarters', email: 'dave@hq.example', label: 'wait-dave' },
    { name: 'Carol Consul', email: 'carol@mission.example', label: 'wait-carol' },
  ]));
  hq = await startSyncRelay(rootPath);
  alice = await newOfficer(tokens[0] as SoftHsmToken, 'Alice Mission', 'alice@mission.example');
  dave = await newOfficer(tokens[1] as SoftHsmToken, 'Dave Headquarters', 'dave@hq.example');
  carol = await newOfficer(tokens[2] as SoftHsmToken, 'Carol Consul', 'carol@mission.example');
  await enroll(alice, hq.relay);
  expect((await enroll(dave, hq.relay)).enrolment).toBe('approved');
  // Carol has synced: her keys are published, a send to her is sealed at once.
  await enroll(carol, hq.relay);
  await must(carol.core, 'sync.now', {});
  await must(alice.core, 'sync.now', {});
}, 240_000);

afterAll(async () => {
  for (const o of [alice, dave, carol]) await o?.core.close();
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
      // Dave waits for keys; Carol, copied, has them: one message to both.
      to: ['dave@hq.example', 'carol@mission.example'],
      title: 'chờ',
      text,
    });
    expect(sent.items).toEqual([
      expect.objectContaining({ state: 'queued', recipientAddress: 'carol@mission.example', title: 'chờ' }),
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
    expect((await must(alice.core, 'sync.outbox', {})).items.map((i) => i.state).sort()).toEqual([
      'sent',
      'waiting',
    ]);

    // Dave syncs (his prekey is published); Alice's next round seals and sends.
    await must(dave.core, 'sync.now', {});
    await must(alice.core, 'sync.now', {});
    expect(alice.core.sync.lastRound()).toMatchObject({ sent: 1, errors: [] });
    const outbox = (await must(alice.core, 'sync.outbox', {})).items;
    expect(outbox.map((i) => i.state)).toEqual(['sent', 'sent']);
    await must(dave.core, 'sync.now', {});
    expect(dave.core.sync.lastRound()).toMatchObject({ received: 1, rejected: 0 });
    const got = (await dave.core.vault.run('sync.received', { limit: 10 })).items;
    expect(got.map((i) => [i.text, i.sender])).toEqual([[text, 'alice@mission.example']]);
    // Once: another round sends nothing more.
    await must(alice.core, 'sync.now', {});
    expect(alice.core.sync.lastRound()).toMatchObject({ sent: 0 });
    // And Alice has one copy of what she sent (written when she sent it, not again when it
    // was sealed): one thread, one message, one search hit (issue 16: "listed twice").
    const threads = (await must(alice.core, 'messages.threads', { limit: 10, offset: 0 })).items;
    expect(threads.map((t) => [t.subject, t.messageCount])).toEqual([['chờ', 1]]);
    const hits = (await must(alice.core, 'search', { query: 'chờ khoá', kinds: ['message'] })).hits;
    expect(hits).toHaveLength(1);
  }, 180_000);
});
