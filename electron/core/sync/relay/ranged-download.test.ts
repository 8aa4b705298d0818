import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fakeRelay, PIN, testDevice } from '../../../../tests/fixtures/fake-relay-http';
import type { InboxItem } from '../../../../shared/sync/relay-protocol';
import { DeviceSession } from './device-session';
import { rangedDownload, type DownloadContext } from './ranged-download';
import type { DownloadSink } from './relay-api';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function setup(bytes: Buffer) {
  const device = testDevice();
  const relay = fakeRelay(device);
  const id = 'ef'.repeat(16);
  relay.items.set(id, bytes);
  const ctx: DownloadContext = {
    http: relay,
    session: new DeviceSession(relay, PIN, device),
    retry: { maxRetries: 3, retryDelayMs: 1 },
  };
  const item: InboxItem = {
    id,
    sender: '33'.repeat(16),
    envelopeId: 'envelope-1',
    size: bytes.length,
    sha256: sha256(bytes),
    cursor: 1,
    createdAt: 0,
  };
  return { relay, ctx, item };
}

/** A sink in memory, holding `held` already (a download an earlier call began). */
function memorySink(held: Buffer = Buffer.alloc(0)): DownloadSink & { bytes: () => Buffer } {
  const parts: Buffer[] = [held];
  let size = held.length;
  return {
    offset: () => size,
    write: (chunk) => {
      parts.push(Buffer.from(chunk));
      size += chunk.length;
    },
    readBack: () => [held],
    bytes: () => Buffer.concat(parts),
  };
}

const ranges = (relay: ReturnType<typeof fakeRelay>) =>
  relay.requests.filter((r) => r.method === 'GET').map((r) => r.headers.range ?? 'all');

describe('ranged download', () => {
  it('resumes with a Range from where a cut reply stopped, and checks the digest of the whole', async () => {
    const bytes = randomBytes(200_000);
    const { relay, ctx, item } = setup(bytes);
    relay.cutNext((x) => x.method === 'GET', 70_000);
    const sink = memorySink();
    await rangedDownload(ctx, item, sink);
    expect(sha256(sink.bytes())).toBe(item.sha256);
    expect(ranges(relay)).toEqual(['all', 'bytes=70000-']);
  });

  it('continues a download an earlier call began, re-hashing the held prefix', async () => {
    const bytes = randomBytes(50_000);
    const { relay, ctx, item } = setup(bytes);
    const sink = memorySink(bytes.subarray(0, 20_000));
    await rangedDownload(ctx, item, sink);
    expect(sha256(sink.bytes())).toBe(item.sha256);
    expect(ranges(relay)).toEqual(['bytes=20000-']);
  });

  it('refuses bytes that do not match the announced digest (E_DIGEST_MISMATCH)', async () => {
    const bytes = randomBytes(10_000);
    const { ctx, item } = setup(bytes);
    // The held prefix is not what the relay has: the digest of the whole cannot match.
    const wrong = Buffer.from(bytes.subarray(0, 1_000));
    wrong[0] = (wrong[0] ?? 0) ^ 1;
    await expect(rangedDownload(ctx, item, memorySink(wrong))).rejects.toMatchObject({
      code: 'E_DIGEST_MISMATCH',
    });
  });

  it('gives up after maxRetries cuts in a row that bring nothing', async () => {
    const bytes = randomBytes(10_000);
    const { relay, ctx, item } = setup(bytes);
    for (let i = 0; i < 10; i++) relay.cutNext((x) => x.method === 'GET', 0);
    await expect(rangedDownload(ctx, item, memorySink())).rejects.toMatchObject({
      code: 'E_NETWORK',
      retryable: true,
    });
    expect(ranges(relay)).toHaveLength(4);
  });
});
