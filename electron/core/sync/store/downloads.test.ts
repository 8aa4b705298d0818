import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStoreVault, type StoreVault } from '../../../../tests/fixtures/sync-store-vault';
import { assembleDownload } from './downloads';

let v: StoreVault;
beforeEach(async () => {
  v = await openStoreVault();
});
afterEach(() => v.close());

const ITEM = {
  id: 'a'.repeat(32),
  sender: 'b'.repeat(32),
  envelopeId: 'env-0001',
  size: 10,
  sha256: 'c'.repeat(64),
};
const bytes = (n: number, from = 0) => Uint8Array.from({ length: n }, (_, i) => from + i);

describe('sync store: downloads', () => {
  it('stores pieces in order and resumes where the stored bytes end', async () => {
    expect(await v.run('sync.download.begin', ITEM)).toEqual({ offset: 0 });
    expect(await v.run('sync.download.append', { itemId: ITEM.id, offset: 0, bytes: bytes(4) })).toEqual({
      offset: 4,
    });
    // A restart: begin again answers the offset reached.
    expect(await v.run('sync.download.begin', ITEM)).toEqual({ offset: 4 });
    await v.run('sync.download.append', { itemId: ITEM.id, offset: 4, bytes: bytes(6, 4) });
    expect((await v.run('sync.download.read', { itemId: ITEM.id, offset: 2, length: 5 })).bytes).toEqual(
      bytes(5, 2),
    );
    expect(assembleDownload(v.ctx, ITEM.id, ITEM.size)).toEqual(bytes(10));
  });

  it('refuses a piece that does not continue the stored bytes or runs past the size', async () => {
    await v.run('sync.download.begin', ITEM);
    await v.run('sync.download.append', { itemId: ITEM.id, offset: 0, bytes: bytes(4) });
    expect(await v.refusal('sync.download.append', { itemId: ITEM.id, offset: 3, bytes: bytes(2) })).toBe(
      'E_INVALID_INPUT',
    );
    expect(await v.refusal('sync.download.append', { itemId: ITEM.id, offset: 4, bytes: bytes(7) })).toBe(
      'E_INVALID_INPUT',
    );
    expect(
      await v.refusal('sync.download.append', { itemId: 'f'.repeat(32), offset: 0, bytes: bytes(1) }),
    ).toBe('E_NOT_FOUND');
  });

  it('starts over when the relay describes the item differently', async () => {
    await v.run('sync.download.begin', ITEM);
    await v.run('sync.download.append', { itemId: ITEM.id, offset: 0, bytes: bytes(4) });
    expect(await v.run('sync.download.begin', { ...ITEM, sha256: 'd'.repeat(64) })).toEqual({ offset: 0 });
    expect(
      (await v.run('sync.download.read', { itemId: ITEM.id, offset: 0, length: 10 })).bytes,
    ).toHaveLength(0);
  });

  it('refuses to assemble an incomplete download', async () => {
    await v.run('sync.download.begin', ITEM);
    await v.run('sync.download.append', { itemId: ITEM.id, offset: 0, bytes: bytes(4) });
    expect(() => assembleDownload(v.ctx, ITEM.id, ITEM.size)).toThrow(/incomplete/);
  });
});

describe('sync store: downloads in progress', () => {
  it('lists what is left to resume, without its bytes', async () => {
    expect(await v.run('sync.downloads', {})).toEqual({ items: [] });
    await v.run('sync.download.begin', ITEM);
    await v.run('sync.download.append', { itemId: ITEM.id, offset: 0, bytes: bytes(4) });
    expect(await v.run('sync.downloads', {})).toEqual({
      items: [{ itemId: ITEM.id, sender: ITEM.sender, envelopeId: ITEM.envelopeId, size: 10, received: 4 }],
    });
  });
});
