import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
 * Acknowledgement of receipt through the project's relay on loopback, between two officers on
 * real SoftHSM tokens: the mission sends a note verbale, HQ registers it (`documents.register`),
 * the signed receipt travels back over the same end-to-end channel, and the mission's document
 * reads "acknowledged" with who and when. The refusals (not a recipient, never sent, another
 * digest, a duplicate) are proven at the store: electron/core/sync/store/receipts.test.ts.
 */

let tokens: SoftHsmToken[];
let hq: TestRelayServer;
let mission: Officer;
let hqOfficer: Officer;

beforeAll(async () => {
  let rootPath: string;
  ({ tokens, rootPath } = await makeOfficers([
    { name: 'Nguyen Van An', email: 'an.nguyen@mission.example', label: 'rcpt-an' },
    { name: 'Tran Thi Binh', email: 'binh.tran@hq.example', label: 'rcpt-binh' },
  ]));
  hq = await startSyncRelay(rootPath);
  mission = await newOfficer(tokens[0] as SoftHsmToken, 'Nguyen Van An', 'an.nguyen@mission.example');
  hqOfficer = await newOfficer(tokens[1] as SoftHsmToken, 'Tran Thi Binh', 'binh.tran@hq.example');
  for (const o of [mission, hqOfficer]) await enroll(o, hq.relay);
  for (const o of [mission, hqOfficer, mission, hqOfficer]) await must(o.core, 'sync.now', {});
}, 180_000);

afterAll(async () => {
  for (const o of [mission, hqOfficer]) await o?.core.close();
  await hq?.relay.close();
  for (const t of tokens ?? []) await t.cleanup();
});

describe('sync: acknowledgement of receipt', () => {
  it('HQ registers a received document and the mission sees it acknowledged, with who and when', async () => {
    const doc = await must(mission.core, 'documents.add', {
      registryNumber: '12/2026/NV',
      subject: 'Công hàm về thị thực',
      direction: 'outgoing',
      classification: 'confidential',
      body: 'Đại sứ quán gửi lời chào trân trọng.',
    });
    await must(mission.core, 'attachments.add', {
      documentId: doc.id,
      name: 'cong-ham.txt',
      source: { kind: 'bytes', base64: Buffer.from('Công hàm').toString('base64') },
    });
    await must(mission.core, 'sync.send', {
      kind: 'document',
      to: ['binh.tran@hq.example'],
      documentId: doc.id,
    });
    await must(mission.core, 'sync.now', {});
    await must(hqOfficer.core, 'sync.now', {});
    const got = (await hqOfficer.core.vault.run('sync.received', { limit: 10 })).items.find(
      (i) => i.kind === 'document',
    );
    const received = got?.recordId ?? '';
    expect((await must(hqOfficer.core, 'documents.get', { id: received })).document).toMatchObject({
      direction: 'incoming',
      status: 'received',
      registryNumber: '12/2026/NV',
    });

    const before = Date.now();
    const reg = await must(hqOfficer.core, 'documents.register', { id: received });
    expect(reg).toMatchObject({ status: 'registered', receipt: 'queued' });
    expect(reg.registrationNumber).toMatch(/^1\/\d{4}\/ĐẾN$/);
    expect((await must(hqOfficer.core, 'documents.get', { id: received })).document.status).toBe(
      'registered',
    );
    // A second click answers the first registration; nothing more is sent.
    expect(await must(hqOfficer.core, 'documents.register', { id: received })).toMatchObject({
      registrationNumber: reg.registrationNumber,
      receipt: 'already-sent',
    });
    const queued = (await must(hqOfficer.core, 'sync.outbox', {})).items.filter((i) => i.kind === 'receipt');
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ recipientAddress: 'an.nguyen@mission.example', state: 'queued' });

    await must(hqOfficer.core, 'sync.now', {});
    expect(hqOfficer.core.sync.lastRound()).toMatchObject({ sent: 1, errors: [] });
    await must(mission.core, 'sync.now', {});
    expect(mission.core.sync.lastRound()).toMatchObject({ received: 1, rejected: 0, errors: [] });

    expect((await must(mission.core, 'documents.get', { id: doc.id })).document.status).toBe('acknowledged');
    const receipts = await must(mission.core, 'documents.receipts', { id: doc.id });
    expect(receipts.acknowledgements).toHaveLength(1);
    const ack = receipts.acknowledgements[0];
    expect(ack).toMatchObject({
      address: 'binh.tran@hq.example',
      name: 'Tran Thi Binh',
      registrationNumber: reg.registrationNumber,
      registeredAt: reg.registeredAt,
    });
    expect(ack?.receivedAt).toBeGreaterThanOrEqual(before);
    // HQ's side shows its own registration, not an acknowledgement.
    expect(await must(hqOfficer.core, 'documents.receipts', { id: received })).toEqual({
      acknowledgements: [],
      registration: { number: reg.registrationNumber, at: reg.registeredAt },
    });
    // Exactly once: another round changes nothing.
    await must(mission.core, 'sync.now', {});
    expect(mission.core.sync.lastRound()).toMatchObject({ received: 0, rejected: 0 });
  }, 120_000);

  it('refuses to register a document that was not received (the outgoing one)', async () => {
    const out = (await must(mission.core, 'documents.list', { direction: 'outgoing', limit: 5 })).items[0];
    const { call } = await import('./vault-harness');
    expect(await call(mission.core, 'documents.register', { id: out?.id ?? '' })).toMatchObject({
      ok: false,
      error: { code: 'E_INVALID_INPUT' },
    });
  });
});
