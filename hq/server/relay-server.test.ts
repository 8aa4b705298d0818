import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteRelayStore } from '../storage/sqlite-relay-store';
import { startRelay } from './relay-server';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('relay start', () => {
  it('sweeps the bytes of items acknowledged before a crash (and of no item), and keeps the rest', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hq-sweep-'));
    const store = SqliteRelayStore.open(dir);
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
    expect(readdirSync(join(dir, 'blobs')).sort()).toEqual(ids);

    const logs: string[] = [];
    const relay = await startRelay({ dataDir: dir, host: '127.0.0.1', port: 0, log: (l) => logs.push(l) });
    try {
      // Item 2 (complete, not yet fetched) keeps its bytes; item 1 and the file of no item go.
      expect(readdirSync(join(dir, 'blobs'))).toEqual([ids[1]]);
      expect(logs).toContain('swept 2 file(s) of acknowledged or unknown items');
    } finally {
      await relay.close();
    }
    expect(existsSync(join(dir, 'blobs', ids[1] as string))).toBe(true);
  });
});
