import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../../../shared/contract/errors';
import { err, ok, type Result } from '../../../../shared/contract/result';
import type { OutboxItem, SyncStatus } from '../../../../shared/contract/sync-calls';
import type { VaultStatus } from '../../../../shared/contract/vault-calls';
import { fakeClient, type FakeAnswer } from '../../../../tests/helpers/fake-client';
import { createAppStore } from '../app-store';
import { SYNC_POLL_MS } from './sync-slice';

const vault = (state: VaultStatus['state']): VaultStatus => ({
  state,
  profile: 'token',
  token: null,
  escrow: false,
  idleTimeoutSeconds: 600,
  secondsUntilAutoLock: state === 'unlocked' ? 600 : null,
  createdAt: '2026-01-01T00:00:00Z',
});

const status = (over: Partial<SyncStatus> = {}): SyncStatus => ({
  enrolment: 'approved',
  connection: 'online',
  pending: { count: 0, bytes: 0 },
  failed: 0,
  inboxVersion: 0,
  rejected: 0,
  warnings: [],
  ...over,
});

const item = (over: Partial<OutboxItem> = {}): OutboxItem => ({
  id: 'o1',
  envelopeId: 'e1',
  kind: 'message',
  title: 'Note',
  classification: 'unclassified',
  recipientAddress: 'consular@hq.mofa.gov.vn',
  recipientDevice: 'ab'.repeat(16),
  state: 'failed',
  bytes: 100,
  sentBytes: 0,
  attempts: 2,
  createdAt: 1,
  ...over,
});

const countOf = (call: ReturnType<typeof vi.fn>, name: string) =>
  call.mock.calls.filter(([n]) => n === name).length;

async function unlockedStore(answers: Record<string, FakeAnswer>) {
  const fake = fakeClient({ 'vault.status': ok(vault('unlocked')), ...answers });
  const store = createAppStore(fake.client);
  await store.getState().vaultStatusRequested();
  return { store, ...fake };
}

describe('sync slice', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('polls sync.status every 2 s while watched, and not while locked', async () => {
    const { store, call } = await unlockedStore({ 'sync.status': ok(status()) });
    store.getState().syncWatchStarted();
    await vi.advanceTimersByTimeAsync(0);
    expect(countOf(call, 'sync.status')).toBe(1);
    expect(store.getState().syncStatus?.connection).toBe('online');
    await vi.advanceTimersByTimeAsync(SYNC_POLL_MS * 3);
    expect(countOf(call, 'sync.status')).toBe(4);
    // Starting twice does not start a second loop.
    store.getState().syncWatchStarted();
    await vi.advanceTimersByTimeAsync(SYNC_POLL_MS);
    expect(countOf(call, 'sync.status')).toBe(5);
    store.getState().syncWatchStopped();
    await vi.advanceTimersByTimeAsync(SYNC_POLL_MS * 5);
    expect(countOf(call, 'sync.status')).toBe(5);
  });

  it('lock clears every sync field at once and stops asking', async () => {
    const { store, call } = await unlockedStore({
      'sync.status': ok(status({ warnings: [] })),
      'sync.outbox': ok({ items: [item()] }),
      'sync.directory': ok({ serial: 1, issuedAt: 1, officers: [] }),
      'vault.lock': ok(vault('locked')),
    });
    store.getState().syncWatchStarted();
    store.getState().syncOutboxWatched(true);
    await store.getState().syncDirectoryRequested();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().syncOutbox).toHaveLength(1);
    expect(store.getState().syncDirectory).not.toBeNull();

    await store.getState().lockRequested();
    const s = store.getState();
    expect([s.syncStatus, s.syncOutbox, s.syncDirectory]).toEqual([null, null, null]);
    const before = countOf(call, 'sync.status');
    await vi.advanceTimersByTimeAsync(SYNC_POLL_MS * 5);
    expect(countOf(call, 'sync.status')).toBe(before);
  });

  it('drops an answer that left before the lock', async () => {
    let release: (r: Result<unknown>) => void = () => undefined;
    const { store } = await unlockedStore({
      'sync.status': () => new Promise((resolve) => (release = resolve)),
      'vault.lock': ok(vault('locked')),
    });
    const pending = store.getState().syncStatusRequested();
    await store.getState().lockRequested();
    release(ok(status()));
    await pending;
    expect(store.getState().syncStatus).toBeNull();
  });

  it('reloads documents and threads when inboxVersion changes, not on the first answer', async () => {
    let version = 3;
    const { store, call } = await unlockedStore({
      'sync.status': () => ok(status({ inboxVersion: version })),
      'messages.threads': ok({ items: [] }),
    });
    await store.getState().threadsRequested();
    const generation = store.getState().documentsGeneration;
    await store.getState().syncStatusRequested();
    await store.getState().syncStatusRequested();
    expect(store.getState().documentsGeneration).toBe(generation);
    expect(countOf(call, 'messages.threads')).toBe(1);
    version = 4;
    await store.getState().syncStatusRequested();
    expect(store.getState().documentsGeneration).toBe(generation + 1);
    expect(countOf(call, 'messages.threads')).toBe(2);
  });

  it('counts arrivals until Documents or Messages is seen; lock forgets the count', async () => {
    let version = 3;
    const { store } = await unlockedStore({
      'sync.status': () => ok(status({ inboxVersion: version })),
    });
    await store.getState().syncStatusRequested();
    expect(store.getState().syncUnseenArrivals).toBe(0);
    version = 5;
    await store.getState().syncStatusRequested();
    expect(store.getState().syncUnseenArrivals).toBe(2);
    store.getState().syncArrivalsSeen();
    expect(store.getState().syncUnseenArrivals).toBe(0);
    version = 6;
    await store.getState().syncStatusRequested();
    expect(store.getState().syncUnseenArrivals).toBe(1);
    store.getState().syncReset();
    expect(store.getState().syncUnseenArrivals).toBe(0);
  });

  it('opening a received document marks it read in the vault, once, and refreshes the list', async () => {
    const summary = (unread: boolean) => ({
      id: 'd1',
      registryNumber: '12/HQ',
      date: '2026-11-21T08:00:00.000Z',
      direction: 'incoming',
      classification: 'confidential',
      status: 'sent',
      subject: 'Công hàm',
      from: 'HQ',
      to: [],
      attachmentCount: 0,
      unreadMessages: 0,
      unread,
      updatedAt: '2026-11-21T08:00:00.000Z',
    });
    let unread = true;
    const detail = () => ok({ document: summary(unread), versions: [], attachments: [], messages: [] });
    const { store, call } = await unlockedStore({
      'documents.get': detail,
      'documents.markRead': (input) => {
        expect(input).toEqual({ ids: ['d1'], read: true });
        unread = false;
        return ok({ updated: 1 });
      },
    });
    const generation = store.getState().documentsGeneration;
    await store.getState().documentOpened('d1');
    expect(countOf(call, 'documents.markRead')).toBe(1);
    expect(store.getState().documentsGeneration).toBe(generation + 1);
    // Opened again (now read): no second call.
    await store.getState().documentOpened('d1');
    expect(countOf(call, 'documents.markRead')).toBe(1);
  });

  it('keeps nothing when the core answers enrolment "locked"', async () => {
    const { store } = await unlockedStore({ 'sync.status': ok(status({ enrolment: 'locked' })) });
    await store.getState().syncStatusRequested();
    expect(store.getState().syncStatus).toBeNull();
  });

  it('enrols with the PIN in the call only, and shows the answered status', async () => {
    const { store, call } = await unlockedStore({
      'sync.enroll': ok(status({ enrolment: 'pending', deviceId: 'cd'.repeat(16) })),
    });
    const input = {
      hqUrl: 'https://hq.example:8443',
      fingerprint: 'aa'.repeat(32),
      token: { serial: '1234' },
      pin: '123456',
    };
    expect(await store.getState().syncEnrolSubmitted(input)).toBe(true);
    expect(call).toHaveBeenLastCalledWith('sync.enroll', input);
    expect(store.getState().syncStatus?.enrolment).toBe('pending');
    expect(JSON.stringify(store.getState())).not.toContain('123456');
  });

  it('records an enrolment error; a locked vault sends the officer back to unlock', async () => {
    const { store, answers } = await unlockedStore({
      'sync.enroll': err(ErrorCode.SyncPinning, 'pin mismatch'),
    });
    const input = { hqUrl: 'https://hq', fingerprint: 'aa'.repeat(32), token: { serial: '1' }, pin: '1' };
    expect(await store.getState().syncEnrolSubmitted(input)).toBe(false);
    expect(store.getState().syncEnrolError?.code).toBe(ErrorCode.SyncPinning);
    expect(store.getState().syncEnrolBusy).toBe(false);

    answers['sync.enroll'] = err(ErrorCode.VaultLocked, 'locked');
    answers['vault.status'] = ok(vault('locked'));
    await store.getState().syncEnrolSubmitted(input);
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().vault?.state).toBe('locked');
    expect(store.getState().syncEnrolError).toBeNull();
  });

  it('retry and cancel replace the item and refresh the status at once', async () => {
    const { store, call } = await unlockedStore({
      'sync.outbox': ok({ items: [item(), item({ id: 'o2', state: 'sent' })] }),
      'sync.outbox.retry': ok(item({ state: 'queued' })),
      'sync.outbox.cancel': ok(item({ state: 'cancelled' })),
      'sync.status': ok(status({ failed: 0 })),
    });
    await store.getState().syncOutboxRequested();
    await store.getState().outboxRetryRequested('o1');
    expect(call).toHaveBeenCalledWith('sync.outbox.retry', { id: 'o1' });
    expect(store.getState().syncOutbox?.map((i) => i.state)).toEqual(['queued', 'sent']);
    expect(countOf(call, 'sync.status')).toBe(1);
    await store.getState().outboxCancelRequested('o1');
    expect(store.getState().syncOutbox?.[0]?.state).toBe('cancelled');
  });

  it('a failed action keeps its error code for the screen to translate', async () => {
    const { store } = await unlockedStore({
      'sync.now': err(ErrorCode.SyncOffline, 'offline'),
      'sync.outbox.retry': err(ErrorCode.SyncRevoked, 'revoked'),
    });
    await store.getState().syncNowRequested();
    expect(store.getState().syncActionError?.code).toBe(ErrorCode.SyncOffline);
    await store.getState().outboxRetryRequested('o1');
    expect(store.getState().syncActionError?.code).toBe(ErrorCode.SyncRevoked);
  });

  it('send puts the queued items on top of the outbox, or keeps the error', async () => {
    const { store, answers } = await unlockedStore({
      'sync.outbox': ok({ items: [item({ id: 'old', state: 'sent' })] }),
      'sync.send': ok({
        items: [item({ id: 'new1', state: 'queued' }), item({ id: 'new2', state: 'queued' })],
      }),
      'sync.status': ok(status({ pending: { count: 2, bytes: 200 } })),
    });
    await store.getState().syncOutboxRequested();
    const input = { kind: 'document' as const, to: ['a@hq'], documentId: 'd1' };
    const items = await store.getState().syncSendSubmitted(input);
    expect(items).toHaveLength(2);
    expect(store.getState().syncOutbox?.map((i) => i.id)).toEqual(['new1', 'new2', 'old']);
    answers['sync.send'] = err(ErrorCode.SyncRecipientUnavailable, 'x');
    expect(await store.getState().syncSendSubmitted(input)).toBeNull();
    expect(store.getState().syncSendError?.code).toBe(ErrorCode.SyncRecipientUnavailable);
    store.getState().syncSendErrorCleared();
    expect(store.getState().syncSendError).toBeNull();
  });

  it('refreshes a watched outbox with each poll once enrolled', async () => {
    const { store, call, answers } = await unlockedStore({
      'sync.status': ok(status({ enrolment: 'none' })),
      'sync.outbox': ok({ items: [] }),
    });
    store.getState().syncOutboxWatched(true);
    store.getState().syncWatchStarted();
    await vi.advanceTimersByTimeAsync(SYNC_POLL_MS * 2);
    expect(countOf(call, 'sync.outbox')).toBe(1); // only the one asked when watching began
    answers['sync.status'] = ok(status());
    await vi.advanceTimersByTimeAsync(SYNC_POLL_MS * 2);
    expect(countOf(call, 'sync.outbox')).toBe(3);
    store.getState().syncOutboxWatched(false);
    await vi.advanceTimersByTimeAsync(SYNC_POLL_MS * 2);
    expect(countOf(call, 'sync.outbox')).toBe(3);
    store.getState().syncWatchStopped();
  });
});
