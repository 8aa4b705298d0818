import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fakeRelay, PIN, testDevice } from '../../../../tests/fixtures/fake-relay-http';
import { UPLOAD_OFFSET_HEADER } from '../../../../shared/sync/relay-protocol';
import { DeviceSession } from './device-session';
import { resumableUpload, type UploadContext } from './resumable-upload';
import { FIRST_PATCH, UploadPacer } from './upload-pacer';

const KiB = 1024;

function setup(chunkBytes = 4 * 1024 * KiB) {
  const device = testDevice();
  const relay = fakeRelay(device);
  const ctx: UploadContext = {
    http: relay,
    session: new DeviceSession(relay, PIN, device),
    pacer: new UploadPacer(chunkBytes, 30_000),
    retry: { maxRetries: 3, retryDelayMs: 1 },
  };
  return { relay, ctx };
}

const item = (bytes: Buffer) => ({
  recipient: '22'.repeat(16),
  envelopeId: `env-${bytes.length}-${bytes[0] ?? 0}`,
  bytes: new Uint8Array(bytes),
});
/** What the relay holds, as a digest (a deep compare of large buffers is slow). */
const held = (relay: ReturnType<typeof fakeRelay>) =>
  sha256(Buffer.concat([...relay.mail.values()][0]?.received ?? []));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const patches = (relay: ReturnType<typeof fakeRelay>) =>
  relay.requests.filter((r) => r.method === 'PATCH').map((r) => Number(r.headers[UPLOAD_OFFSET_HEADER]));

describe('resumable upload', () => {
  it('sends the item in PATCHes by offset; the first is 256 KiB before the link is measured', async () => {
    const { relay, ctx } = setup();
    const bytes = randomBytes(600 * KiB);
    const status = await resumableUpload(ctx, item(bytes));
    expect(status.state).toBe('complete');
    expect(held(relay)).toBe(sha256(bytes));
    expect([...relay.mail.values()][0]?.sha256).toBe(sha256(bytes));
    expect(patches(relay)[0]).toBe(0);
    expect(relay.requests.find((r) => r.method === 'PATCH')?.bodyBytes).toBe(FIRST_PATCH);
  });

  it('after a cut mid-PATCH, announces again and resumes from the offset the relay kept', async () => {
    const { relay, ctx } = setup();
    const bytes = randomBytes(700 * KiB);
    // The second PATCH is cut after the relay kept 100 KiB of it.
    let seen = 0;
    relay.cutNext((x) => x.method === 'PATCH' && ++seen === 2, 100 * KiB);
    const progress: number[] = [];
    await resumableUpload(ctx, item(bytes), (sent) => progress.push(sent));
    expect(held(relay)).toBe(sha256(bytes));
    const resumedAt = FIRST_PATCH + 100 * KiB;
    expect(patches(relay)).toContain(resumedAt);
    // Nothing the relay already held was sent again: the PATCH bodies add up to the item
    // plus the part of the cut one that arrived (counted once in each).
    const sent = relay.requests.filter((r) => r.method === 'PATCH').reduce((n, r) => n + r.bodyBytes, 0);
    expect(sent).toBe(
      bytes.length + (relay.requests.filter((r) => r.method === 'PATCH')[1]?.bodyBytes ?? 0) - 100 * KiB,
    );
    expect(relay.requests.filter((r) => r.method === 'POST' && r.path === '/v1/mail')).toHaveLength(2);
    expect(progress).toContain(resumedAt);
    expect(progress.at(-1)).toBe(bytes.length);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  });

  it('completes an item whose bytes all arrived but whose completing PATCH was cut (empty PATCH)', async () => {
    const { relay, ctx } = setup();
    const bytes = randomBytes(100 * KiB);
    const it = item(bytes);
    // What a cut leaves behind: the relay holds every byte, but the item was never completed.
    const id = relay.mailIdOf(it.envelopeId);
    relay.mail.set(id, {
      id,
      size: bytes.length,
      sha256: sha256(bytes),
      received: [bytes],
      offset: bytes.length,
      state: 'uploading',
    });
    const status = await resumableUpload(ctx, it);
    expect(status.state).toBe('complete');
    const sent = relay.requests.filter((r) => r.method === 'PATCH');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.bodyBytes).toBe(0);
    expect(Number(sent[0]?.headers[UPLOAD_OFFSET_HEADER])).toBe(bytes.length);
  });

  it('refuses an impossible offset from the relay (E_PROTOCOL), without retrying', async () => {
    const { relay, ctx } = setup();
    const bytes = randomBytes(10 * KiB);
    relay.answerNext((x) => x.method === 'POST' && x.path === '/v1/mail', {
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(
        JSON.stringify({
          id: 'cd'.repeat(16),
          offset: bytes.length + 1,
          size: bytes.length,
          state: 'uploading',
        }),
      ),
    });
    await expect(resumableUpload(ctx, item(bytes))).rejects.toMatchObject({ code: 'E_PROTOCOL' });
    expect(relay.requests.filter((r) => r.path === '/v1/mail')).toHaveLength(1);
  });

  it('gives up with a retryable error after maxRetries cuts in a row without progress', async () => {
    const { relay, ctx } = setup();
    for (let i = 0; i < 10; i++) relay.cutNext((x) => x.method === 'PATCH', 0);
    await expect(resumableUpload(ctx, item(randomBytes(10 * KiB)))).rejects.toMatchObject({
      code: 'E_NETWORK',
      retryable: true,
    });
    expect(patches(relay)).toEqual([0, 0, 0, 0]); // the first try and maxRetries (3) more
  });

  it('goes on for as long as each cut leaves progress', async () => {
    const { relay, ctx } = setup(64 * KiB);
    const bytes = randomBytes(64 * KiB * 6);
    // Every PATCH is cut once, after the relay kept half of it: 6 cuts > maxRetries, but each moved.
    for (let i = 0; i < 6; i++)
      relay.cutNext((x) => x.method === 'PATCH' && (x.body?.length ?? 0) > 0, 32 * KiB);
    await resumableUpload(ctx, item(bytes));
    expect(held(relay)).toBe(sha256(bytes));
  });
});
