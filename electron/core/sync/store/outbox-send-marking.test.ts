import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  enrolledWithPeer,
  openStoreVault,
  T0,
  type StoreVault,
} from '../../../../tests/fixtures/sync-store-vault';
import { must } from '../../../../tests/helpers/must';

/**
 * A Secret or Top secret document leaves only with a confirmation naming its marking: the vault
 * itself refuses, so a renderer that skips the dialog (a bug, or a compromised one) sends
 * nothing.
 */
let v: StoreVault;
beforeEach(async () => {
  v = await openStoreVault();
});
afterEach(() => v.close());

function documentMarked(classification: 'top-secret' | 'secret' | 'confidential'): string {
  return v.ctx.repo.addDocument({
    direction: 'outgoing',
    kind: 'note-verbale',
    classification,
    status: 'signed',
    subject: 'Kế hoạch chuyến thăm',
    from: 'Political section',
    to: ['Ministry of Foreign Affairs'],
    body: 'Visit plan.',
  }).id;
}

describe('sync store: sending a marked document', () => {
  it('a Top secret send without a confirmation naming Top secret does not go', async () => {
    await enrolledWithPeer(v);
    const documentId = documentMarked('top-secret');
    const to = ['peer@hq.example'];
    for (const confirmedMarking of [undefined, 'secret', 'confidential', 'unclassified'] as const) {
      const send = {
        kind: 'document' as const,
        to,
        documentId,
        ...(confirmedMarking ? { confirmedMarking } : {}),
      };
      expect(await v.refusal('sync.send', { send, now: T0 })).toBe('E_MARKING_UNCONFIRMED');
    }
    expect((await v.run('sync.outbox.stats', {})).count).toBe(0);
    expect(v.ctx.repo.getDocument(documentId).document.status).toBe('signed');

    const sent = await v.run('sync.send', {
      send: { kind: 'document', to, documentId, confirmedMarking: 'top-secret' },
      now: T0,
    });
    expect(sent.items.length).toBeGreaterThan(0);
    // The outbox carries the marking, so the banner over it is Top secret too.
    expect(sent.items.every((i) => i.classification === 'top-secret')).toBe(true);
    const listed = await v.run('sync.outbox.list', { limit: 10 });
    expect(listed.items.map((i) => i.classification)).toContain('top-secret');
  });

  it('a Top secret message without a confirmation naming Top secret does not go, nor its own copy', async () => {
    await enrolledWithPeer(v);
    const to = ['peer@hq.example'];
    const message = { kind: 'message' as const, to, title: 'Cipher keys', text: 'New keys Monday.' };
    for (const confirmedMarking of [undefined, 'secret', 'confidential'] as const) {
      const send = {
        ...message,
        classification: 'top-secret' as const,
        ...(confirmedMarking ? { confirmedMarking } : {}),
      };
      expect(await v.refusal('sync.send', { send, now: T0 })).toBe('E_MARKING_UNCONFIRMED');
    }
    // A confirmation alone does not make a message Top secret, nor lets a Secret one through.
    expect(
      await v.refusal('sync.send', {
        send: { ...message, classification: 'secret', confirmedMarking: 'top-secret' },
        now: T0,
      }),
    ).toBe('E_MARKING_UNCONFIRMED');
    expect((await v.run('sync.outbox.stats', {})).count).toBe(0);
    expect(v.ctx.repo.listThreads({ unreadOnly: false, offset: 0, limit: 10 }).total).toBe(0);

    const sent = await v.run('sync.send', {
      send: { ...message, classification: 'top-secret', confirmedMarking: 'top-secret' },
      now: T0,
    });
    expect(sent.items.length).toBeGreaterThan(0);
    expect(sent.items.every((i) => i.classification === 'top-secret')).toBe(true);
    // The officer's own copy keeps the marking it left with.
    const thread = must(v.ctx.repo.listThreads({ unreadOnly: false, offset: 0, limit: 10 }).items[0]);
    expect(thread.classification).toBe('top-secret');
    const [own] = v.ctx.repo.listMessages({ threadId: thread.id, offset: 0, limit: 10 }).items;
    expect(own).toMatchObject({ state: 'sent', classification: 'top-secret' });
  });

  it('a Confidential send needs no confirmation', async () => {
    await enrolledWithPeer(v);
    const documentId = documentMarked('confidential');
    const sent = await v.run('sync.send', {
      send: { kind: 'document', to: ['peer@hq.example'], documentId },
      now: T0,
    });
    expect(sent.items.length).toBeGreaterThan(0);
  });
});
