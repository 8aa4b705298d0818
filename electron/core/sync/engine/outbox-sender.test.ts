import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fakeRelay, PIN, testDevice } from '../../../../tests/fixtures/fake-relay-http';
import { UPLOAD_OFFSET_HEADER } from '../../../../shared/sync/relay-protocol';
import { RelayClientError, type DeviceRelay, type RelayClientErrorCode } from '../relay';
import { DeviceRelayCalls } from '../relay/device-relay';
import { UploadPacer } from '../relay/upload-pacer';
import { createJitter } from './backoff';
import type { EngineVault } from './engine-vault';
import { createOutboxSender } from './outbox-sender';
import { newRoundReport } from './round-report';

const KiB = 1024;
const MiB = 1024 * KiB;
const NOW = 1_000_000;

interface Row {
  id: string;
  relayEnvelopeId: string;
  recipientDevice: string;
  size: number;
  sha256: string;
  sentBytes: number;
  attempts: number;
  state: 'queued' | 'sending' | 'sent' | 'failed';
  nextAttemptAt: number;
  error: { code: string; message: string } | null;
  bytes: Buffer;
}

/** The vault's outbox: due rows, reads in pieces, updates (recorded). */
function fakeOutbox() {
  const rows = new Map<string, Row>();
  const updates: { id: string; state?: string; sentBytes?: number }[] = [];
  const reads: { id: string; offset: number; length: number }[] = [];
  const dueAsked: number[] = [];
  const add = (size: number, nextAttemptAt = 0) => {
    const bytes = randomBytes(size);
    const id = `row-${rows.size + 1}`;
    rows.set(id, {
      id,
      relayEnvelopeId: `envelope-${rows.size + 1}`,
      recipientDevice: '22'.repeat(16),
      size,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      sentBytes: 0,
      attempts: 0,
      state: 'queued',
      nextAttemptAt,
      error: null,
      bytes,
    });
    return id;
  };
  const run = async (op: string, input: Record<string, unknown>): Promise<unknown> => {
    switch (op) {
      case 'sync.outbox.due': {
        const now = Number(input.now);
        dueAsked.push(now);
        const due = [...rows.values()].filter((r) => r.state === 'queued' && r.nextAttemptAt <= now);
        return {
          items: due
            .slice(0, Number(input.limit))
            .map(({ bytes: _b, state: _s, nextAttemptAt: _n, error: _e, ...r }) => r),
        };
      }
      case 'sync.outbox.read': {
        const row = rows.get(String(input.id));
        reads.push({ id: String(input.id), offset: Number(input.offset), length: Number(input.length) });
        const offset = Number(input.offset);
        return { bytes: new Uint8Array(row?.bytes.subarray(offset, offset + Number(input.length)) ?? []) };
      }
      case 'sync.outbox.update': {
        const row = rows.get(String(input.id));
        if (!row) throw new Error('no such row');
        const u = input as Partial<Row> & { attempt?: boolean };
        if (u.state) row.state = u.state;
        if (u.sentBytes !== undefined) row.sentBytes = u.sentBytes;
        if (u.attempt) row.attempts++;
        if (u.error !== undefined) row.error = u.error;
        if (u.nextAttemptAt !== undefined) row.nextAttemptAt = u.nextAttemptAt;
        updates.push({
          id: row.id,
          ...(u.state ? { state: u.state } : {}),
          ...(u.sentBytes !== undefined ? { sentBytes: u.sentBytes } : {}),
        });
        return {};
      }
      default:
        throw new Error(`unexpected vault op ${op}`);
    }
  };
  const vault = { run, status: async () => ({ state: 'unlocked' }) } as unknown as EngineVault;
  return { vault, rows, updates, reads, dueAsked, add };
}

const jitter = createJitter({ baseMs: 2_000, maxMs: 300_000 }, () => 0.5);

function sender(vault: EngineVault, concurrency = 4) {
  return createOutboxSender({ vault, now: () => NOW, concurrency, jitter });
}

/** A DeviceRelay whose uploads the test scripts; it records what was uploaded and how many at once. */
function scriptedRelay(script: (envelopeId: string) => Promise<void> = async () => undefined) {
  const uploaded = new Map<string, Buffer>();
  const order: string[] = [];
  const active = { small: 0, large: 0, maxSmall: 0, maxLarge: 0, smallBesideLarge: false };
  const dev = {
    async upload(
      item: { recipient: string; envelopeId: string; bytes: Uint8Array; sha256?: string },
      onProgress?: (sent: number, total: number) => void,
    ) {
      const large = item.bytes.length > MiB;
      order.push(item.envelopeId);
      if (large) active.maxLarge = Math.max(active.maxLarge, ++active.large);
      else {
        active.maxSmall = Math.max(active.maxSmall, ++active.small);
        if (active.large > 0) active.smallBesideLarge = true;
      }
      try {
        await script(item.envelopeId);
        // Let the others run meanwhile: uploads take time.
        for (let i = 0; i < (large ? 20 : 3); i++) await new Promise((r) => setImmediate(r));
        onProgress?.(item.bytes.length, item.bytes.length);
        uploaded.set(item.envelopeId, Buffer.from(item.bytes));
        return { id: '00'.repeat(16), offset: item.bytes.length, size: item.bytes.length, state: 'complete' };
      } finally {
        if (large) active.large--;
        else active.small--;
      }
    },
  } as unknown as DeviceRelay;
  return { dev, uploaded, order, active };
}

describe('outbox sender', () => {
  it('uploads each due row read from the vault in pieces, with its envelope id and digest, and marks it sent', async () => {
    const o = fakeOutbox();
    const id = o.add(5 * MiB);
    const relay = scriptedRelay();
    const r = newRoundReport();
    await sender(o.vault).send(relay.dev, false, new AbortController().signal, r);
    const row = o.rows.get(id);
    expect(relay.uploaded.get('envelope-1')?.equals(row?.bytes ?? Buffer.alloc(0))).toBe(true);
    expect(o.reads.map((x) => x.offset)).toEqual([0, 4 * MiB]);
    expect(row?.state).toBe('sent');
    expect(o.updates.filter((u) => u.id === id).map((u) => u.state ?? `progress ${u.sentBytes}`)).toEqual([
      'sending',
      `progress ${5 * MiB}`,
      'sent',
    ]);
    expect(r.sent).toBe(1);
    expect(o.dueAsked[0]).toBe(NOW);
  });

  it('sends small rows `concurrency` at a time and large ones one at a time beside them', async () => {
    const o = fakeOutbox();
    for (let i = 0; i < 3; i++) o.add(2 * MiB);
    for (let i = 0; i < 8; i++) o.add(10 * KiB);
    const relay = scriptedRelay();
    const r = newRoundReport();
    await sender(o.vault, 2).send(relay.dev, false, new AbortController().signal, r);
    expect(r.sent).toBe(11);
    expect(relay.active.maxLarge).toBe(1);
    expect(relay.active.maxSmall).toBe(2);
    expect(relay.active.smallBesideLarge).toBe(true);
  });

  it('a retryable failure requeues the row with its backoff and stops sending for this round', async () => {
    const o = fakeOutbox();
    const first = o.add(10 * KiB);
    o.add(10 * KiB);
    o.add(10 * KiB);
    const cut = new RelayClientError('E_NETWORK', 'cut', { retryable: true });
    const relay = scriptedRelay(async (envelopeId) => {
      if (envelopeId === 'envelope-1') throw cut;
    });
    const r = newRoundReport();
    await expect(sender(o.vault, 1).send(relay.dev, false, new AbortController().signal, r)).rejects.toBe(
      cut,
    );
    expect(relay.order).toEqual(['envelope-1']);
    const row = o.rows.get(first);
    expect(row).toMatchObject({ state: 'queued', attempts: 1, error: { code: 'E_NETWORK', message: 'cut' } });
    // Full jitter of the row's attempts: 0.5 × min(max, 2 s × 2^1).
    expect(row?.nextAttemptAt).toBe(NOW + 2_000);
    expect(r.sent).toBe(0);
  });

  it('a refused row fails for good and the round goes on with the others', async () => {
    const o = fakeOutbox();
    const first = o.add(10 * KiB);
    o.add(10 * KiB);
    const relay = scriptedRelay(async (envelopeId) => {
      // A refusal the sender has no branch for (outside the closed list: only a cast makes one).
      if (envelopeId === 'envelope-1')
        throw new RelayClientError('E_RECIPIENT_REVOKED' as RelayClientErrorCode, 'revoked');
    });
    const r = newRoundReport();
    await sender(o.vault, 1).send(relay.dev, false, new AbortController().signal, r);
    expect(o.rows.get(first)).toMatchObject({ state: 'failed', error: { code: 'E_RECIPIENT_REVOKED' } });
    expect(r.sent).toBe(1);
  });

  it('a forced round ("sync now") sends rows still waiting out their backoff', async () => {
    const o = fakeOutbox();
    o.add(10 * KiB, NOW + 60_000);
    const relay = scriptedRelay();
    await sender(o.vault).send(relay.dev, false, new AbortController().signal, newRoundReport());
    expect(relay.order).toEqual([]);
    await sender(o.vault).send(relay.dev, true, new AbortController().signal, newRoundReport());
    expect(relay.order).toEqual(['envelope-1']);
    expect(o.dueAsked.at(-1)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('resumes an upload cut mid-PATCH from the offset the relay kept (real relay client parts)', async () => {
    const o = fakeOutbox();
    const id = o.add(700 * KiB);
    const device = testDevice();
    const relay = fakeRelay(device);
    const dev = new DeviceRelayCalls(
      {
        http: relay,
        fingerprintHex: PIN,
        timeoutMs: 30_000,
        pacer: new UploadPacer(4 * MiB, 30_000),
        retry: { maxRetries: 5, retryDelayMs: 1 },
      },
      device,
    );
    // The first PATCH (256 KiB) is cut after the relay kept 200 KiB of it.
    relay.cutNext((x) => x.method === 'PATCH', 200 * KiB);
    const r = newRoundReport();
    await sender(o.vault).send(dev, false, new AbortController().signal, r);
    const row = o.rows.get(id);
    expect(row?.state).toBe('sent');
    expect(r.sent).toBe(1);
    const mail = relay.mail.get(relay.mailIdOf(row?.relayEnvelopeId ?? ''));
    expect(mail?.state).toBe('complete');
    expect(Buffer.concat(mail?.received ?? []).equals(row?.bytes ?? Buffer.alloc(0))).toBe(true);
    const offsets = relay.requests
      .filter((x) => x.method === 'PATCH')
      .map((x) => x.headers[UPLOAD_OFFSET_HEADER]);
    // After the cut, the next PATCH starts where the relay stands, not at 0 nor at 256 KiB.
    expect(offsets.slice(0, 2)).toEqual(['0', String(200 * KiB)]);
  });
});
