import { Readable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RELAY_BACKENDS, stopPgCluster, type OpenedBackend } from '../../tests/fixtures/relay-backends';
import type { RelayStore } from '../storage/relay-store';
import { startRelay } from './relay-server';

let opened: OpenedBackend;
afterEach(() => opened.cleanup());
afterAll(stopPgCluster);

/** The ids of the items whose bytes the backend holds, read through a fresh handle. */
async function heldBlobs(): Promise<string[]> {
  const store: RelayStore = await opened.reopen();
  try {
    return (await store.blobs.list()).sort();
  } finally {
    await store.close();
  }
}

describe.each(RELAY_BACKENDS)('relay start on $name', (backend) => {
  it('sweeps the bytes of items acknowledged before a crash (and of no item), and keeps the rest', async () => {
    opened = await backend.open();
    const { store, dataDir: dir, db } = opened;
    const [alice, bob] = ['a'.repeat(32), 'b'.repeat(32)];
    for (const id of [alice, bob]) {
      await store.enrolDevice(
        {
          id,
          signPublicKey: `sk-${id}`,
          boxPublicKey: 'bk',
          enrolmentRequest: 'rq',
          officer: {
            address: `${id.slice(0, 3)}@x`,
            name: 'N',
            department: 'D',
            certificateFingerprint: 'f'.repeat(64),
          },
          status: 'pending',
        },
        1,
      );
      await store.setDeviceStatus(id, 'approved', 2);
    }
    const ids = [1, 2, 3].map((n) => n.toString(16).padStart(32, '0'));
    for (const [n, id] of ids.entries()) {
      if (n < 2) {
        await store.createItem(
          {
            id,
            recipient: bob,
            sender: alice,
            envelopeId: `env-${n}`,
            size: 5,
            sha256: '0'.repeat(64),
            createdAt: n,
          },
          1000,
        );
      }
      await store.blobs.writeAt(id, 0, Readable.from([Buffer.from('bytes')]), 100);
    }
    await store.completeItem(ids[0] as string);
    await store.completeItem(ids[1] as string);
    // Item 1 acknowledged, its bytes still there: a kill between the commit and the unlink.
    await store.ackItem(ids[0] as string);
    await store.close();
    expect(await heldBlobs()).toEqual(ids);

    const logs: string[] = [];
    const relay = await startRelay({
      dataDir: dir,
      ...(db ? { db } : {}),
      host: '127.0.0.1',
      port: 0,
      log: (l) => logs.push(l),
    });
    try {
      // Item 2 (complete, not yet fetched) keeps its bytes; item 1 and the file of no item go.
      expect(await heldBlobs()).toEqual([ids[1]]);
      expect(logs).toContain('swept 2 file(s) of acknowledged or unknown items');
    } finally {
      await relay.close();
    }
    expect(await heldBlobs()).toContain(ids[1]);
  });
});
