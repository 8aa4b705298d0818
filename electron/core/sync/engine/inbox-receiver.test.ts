import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { InboxItem } from '../../../../shared/sync/relay-protocol';
import { RelayClientError, type DeviceRelay } from '../relay';
import { newEngineStatus } from './engine-status';
import type { EngineVault } from './engine-vault';
import { createInboxReceiver, INBOX_POLL_MS } from './inbox-receiver';
import { createItemReceiver } from './receive-item';
import { newRoundReport } from './round-report';

const MiB = 1024 * 1024;

/** The vault's side of receiving: downloads in progress, stored items, the inbox cursor. */
function fakeVault() {
  const downloads = new Map<string, Buffer>();
  const stored: string[] = [];
  const cursorUpdates: number[] = [];
  const verdicts = new Map<string, string[]>();
  let inboxCursor = 0;
  const run = async (op: string, input: Record<string, unknown>): Promise<unknown> => {
    switch (op) {
      case 'sync.identity':
        return { identity: { inboxCursor } };
      case 'sync.identity.update':
        inboxCursor = Number(input.inboxCursor);
        cursorUpdates.push(inboxCursor);
        return {};
      case 'sync.download.begin': {
        const id = String(input.id);
        if (!downloads.has(id)) downloads.set(id, Buffer.alloc(0));
        return { offset: downloads.get(id)?.length ?? 0 };
      }
      case 'sync.download.append': {
        const id = String(input.itemId);
        const held = downloads.get(id) ?? Buffer.alloc(0);
        if (Number(input.offset) !== held.length) throw new Error('append out of order');
        downloads.set(id, Buffer.concat([held, Buffer.from(input.bytes as Uint8Array)]));
        return { offset: downloads.get(id)?.length ?? 0 };
      }
      case 'sync.receive': {
        const id = String(input.itemId);
        const next = verdicts.get(id)?.shift();
        if (next === 'E_ENVELOPE_SENDER_UNKNOWN') return { status: 'rejected', code: next };
        if (stored.includes(id)) return { status: 'duplicate' };
        stored.push(id);
        return { status: 'stored', kind: 'message', recordId: id };
      }
      default:
        throw new Error(`unexpected vault op ${op}`);
    }
  };
  const vault = { run, status: async () => ({ state: 'unlocked' }) } as unknown as EngineVault;
  return { vault, downloads, stored, cursorUpdates, verdicts };
}

/**
 * The relay's mailbox behind DeviceRelay: listings after a cursor, downloads (large ones wait
 * for the test to release them) and acknowledgements, which take an item out of the mailbox.
 */
function fakeMailbox() {
  const items: (InboxItem & { bytes: Buffer })[] = [];
  const acked: number[] = [];
  const downloading = new Set<number>();
  let maxBulkAtOnce = 0;
  const gates = new Map<number, () => void>();
  let listings = 0;
  const failListings: RelayClientError[] = [];
  let cursor = 0;
  const add = (size: number) => {
    const bytes = randomBytes(Math.min(size, 64 * 1024));
    const c = ++cursor;
    items.push({
      id: c.toString(16).padStart(32, '0'),
      sender: '33'.repeat(16),
      envelopeId: `envelope-${c}`,
      // A large item's size is what counts for the engine; its bytes stay small here.
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      cursor: c,
      createdAt: 0,
      bytes,
    });
    const added = items[items.length - 1];
    if (added && size > MiB) added.size = size;
    return c;
  };
  const dev = {
    async inbox(after = 0, limit = 50) {
      listings++;
      const failure = failListings.shift();
      if (failure) throw failure;
      const after_ = items.filter((i) => i.cursor > after);
      const page = after_.slice(0, limit).map(({ bytes: _bytes, ...i }) => i);
      return { items: page, cursor: page.at(-1)?.cursor ?? after, more: after_.length > limit };
    },
    async download(item: InboxItem, sink: { write(c: Uint8Array): void | Promise<void> }) {
      const stored = items.find((i) => i.id === item.id);
      if (!stored) throw new RelayClientError('E_NOT_FOUND', 'gone');
      if (item.size > MiB) {
        downloading.add(item.cursor);
        maxBulkAtOnce = Math.max(maxBulkAtOnce, downloading.size);
        await new Promise<void>((resolve) => gates.set(item.cursor, resolve));
        downloading.delete(item.cursor);
      }
      await sink.write(stored.bytes);
    },
    async ack(itemId: string) {
      const i = items.findIndex((x) => x.id === itemId);
      const [gone] = items.splice(i, 1);
      if (gone) acked.push(gone.cursor);
    },
  } as unknown as DeviceRelay;
  return {
    dev,
    add,
    acked,
    downloading,
    maxBulkAtOnce: () => maxBulkAtOnce,
    listings: () => listings,
    failNextListing: (e: RelayClientError) => failListings.push(e),
    release: (c: number) => gates.get(c)?.(),
  };
}

function setup() {
  const v = fakeVault();
  const box = fakeMailbox();
  const status = newEngineStatus();
  let refreshed = 0;
  const receiveItem = createItemReceiver({
    vault: v.vault,
    now: () => 1,
    status,
    refreshDirectory: async () => void refreshed++,
  });
  const receiver = createInboxReceiver({ vault: v.vault, concurrency: 4, receiveItem });
  return { ...v, box, status, receiver, refreshed: () => refreshed };
}

/** Lets every pending promise chain run (no timer moves). */
const settle = () => vi.advanceTimersByTimeAsync(0);

afterEach(() => {
  vi.useRealTimers();
});

describe('inbox receiver', () => {
  it('stores small mail while a large item downloads, large items one at a time in listed order', async () => {
    vi.useFakeTimers();
    const t = setup();
    const big1 = t.box.add(3 * MiB);
    const small2 = t.box.add(100);
    const big3 = t.box.add(2 * MiB);
    const small4 = t.box.add(100);
    const r = newRoundReport();
    const done = t.receiver.receiveWhileSending(t.box.dev, new AbortController().signal, r, { done: true });
    await settle();
    // The small ones are stored and acknowledged while the first large one is still coming.
    expect(t.box.acked.sort()).toEqual([small2, small4]);
    expect([...t.box.downloading]).toEqual([big1]);
    // The cursor stays below the large item not yet stored (the relay would skip nothing, but
    // a cursor past it would).
    expect(Math.max(0, ...t.cursorUpdates)).toBeLessThan(big1);
    t.box.release(big1);
    await settle();
    expect([...t.box.downloading]).toEqual([big3]);
    t.box.release(big3);
    await settle();
    await done;
    expect(t.box.acked).toEqual([small2, small4, big1, big3]);
    expect(t.box.maxBulkAtOnce()).toBe(1);
    expect(r).toMatchObject({ received: 4, duplicates: 0, rejected: 0 });
    expect(t.status.inboxVersion).toBe(4);
  });

  it('moves the cursor only over items done', async () => {
    vi.useFakeTimers();
    const t = setup();
    const small1 = t.box.add(100);
    const big2 = t.box.add(2 * MiB);
    t.box.add(100);
    const done = t.receiver.receiveWhileSending(t.box.dev, new AbortController().signal, newRoundReport(), {
      done: true,
    });
    await settle();
    expect(t.cursorUpdates).toEqual([small1]);
    t.box.release(big2);
    await settle();
    await done;
    expect(t.cursorUpdates.every((c) => c < big2)).toBe(true);
  });

  it('fetches mail that arrives while the outbox sends as soon as it is nudged (push), not at the poll', async () => {
    vi.useFakeTimers();
    const t = setup();
    const outbox = { done: false };
    const done = t.receiver.receiveWhileSending(
      t.box.dev,
      new AbortController().signal,
      newRoundReport(),
      outbox,
    );
    await settle();
    expect(t.box.listings()).toBe(1);
    const arrived = t.box.add(100);
    t.receiver.nudge();
    await settle();
    expect(t.box.acked).toEqual([arrived]);
    // Without a nudge it looks again after the poll interval.
    const later = t.box.add(100);
    await vi.advanceTimersByTimeAsync(INBOX_POLL_MS - 1);
    expect(t.box.acked).toEqual([arrived]);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.box.acked).toEqual([arrived, later]);
    // The outbox is done: one last pass, then the receiver ends.
    outbox.done = true;
    t.receiver.nudge();
    await settle();
    await done;
    expect(t.box.listings()).toBe(4);
  });

  it('while sending, a cut listing is tried again after a backoff instead of ending the round', async () => {
    vi.useFakeTimers();
    const t = setup();
    const outbox = { done: false };
    t.box.failNextListing(new RelayClientError('E_NETWORK', 'cut', { retryable: true }));
    t.box.failNextListing(new RelayClientError('E_NETWORK', 'cut', { retryable: true }));
    const mail = t.box.add(100);
    const done = t.receiver.receiveWhileSending(
      t.box.dev,
      new AbortController().signal,
      newRoundReport(),
      outbox,
    );
    await settle();
    expect(t.box.listings()).toBe(1);
    await vi.advanceTimersByTimeAsync(2_000); // 1 s doubling: 2 s after the first failure
    expect(t.box.listings()).toBe(2);
    await vi.advanceTimersByTimeAsync(3_999);
    expect(t.box.listings()).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.box.acked).toEqual([mail]);
    outbox.done = true;
    t.receiver.nudge();
    await settle();
    await done;
  });

  it('with nothing sending, a failed listing ends the pass with its error', async () => {
    const t = setup();
    t.box.failNextListing(new RelayClientError('E_NETWORK', 'cut', { retryable: true }));
    await expect(
      t.receiver.receiveWhileSending(t.box.dev, new AbortController().signal, newRoundReport(), {
        done: true,
      }),
    ).rejects.toMatchObject({ code: 'E_NETWORK' });
  });

  it('refreshes the directory once for mail from a device it does not know yet, then stores it', async () => {
    const t = setup();
    const c = t.box.add(100);
    t.verdicts.set(c.toString(16).padStart(32, '0'), ['E_ENVELOPE_SENDER_UNKNOWN']);
    const r = newRoundReport();
    await t.receiver.receiveWhileSending(t.box.dev, new AbortController().signal, r, { done: true });
    expect(t.refreshed()).toBe(1);
    expect(r.received).toBe(1);
    expect(t.box.acked).toEqual([c]);
  });
});
