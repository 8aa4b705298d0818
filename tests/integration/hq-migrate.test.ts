import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { MigrationReport } from '../../hq/admin/relay-migration';
import { PgRelayStore } from '../../hq/storage/pg-relay-store';
import type { MailItem, RelayStore } from '../../hq/storage/relay-store';
import { SqliteRelayStore } from '../../hq/storage/sqlite-relay-store';
import { sharedPgCluster, stopPgCluster } from '../fixtures/relay-backends';
import { embassy } from './hq-harness';

/**
 * `embassy hq migrate`: a single-machine relay (SQLite and item files) holding items in every
 * state moves into PostgreSQL; afterwards every item reads back with its record, its mailbox
 * position and bytes whose SHA-256 equals the source's. CI runs 300 items;
 * `EMBASSY_MIGRATE_ITEMS=10000` is the scale the issue asks to measure.
 */
const ITEMS = Number(process.env.EMBASSY_MIGRATE_ITEMS ?? '300');
const DEVICES = 20;

afterAll(stopPgCluster);

const hex = (n: number, width = 32) => n.toString(16).padStart(width, '0');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function allBytes(store: RelayStore, id: string, length: number): Promise<string> {
  return store.blobs.sha256(id, length);
}

describe('hq migrate (SQLite to PostgreSQL)', () => {
  it(`moves ${ITEMS} items in every state and verifies each by SHA-256`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hq-migrate-'));
    try {
      const src = SqliteRelayStore.open(dir);
      const devices = Array.from({ length: DEVICES }, (_, i) => hex(i + 1));
      for (const id of devices) {
        await src.enrolDevice(
          {
            id,
            signPublicKey: `sk-${id}`,
            boxPublicKey: `bk-${id}`,
            enrolmentRequest: Buffer.from(`rq-${id}`).toString('base64'),
            officer: {
              address: `o${id.slice(-2)}@hq.example`,
              name: `Officer ${id.slice(-2)}`,
              department: 'D',
              certificateFingerprint: 'f'.repeat(64),
            },
            status: 'pending',
          },
          1,
        );
        await src.setDeviceStatus(id, id === devices[3] ? 'revoked' : 'approved', 2);
      }
      for (const id of devices.slice(0, 5)) {
        await src.putPrekeys(
          id,
          [{ prekeyId: hex(7), publicKey: `pk-${id}`, createdAt: 5, signature: `sig-${id}` }],
          4,
        );
      }
      const started = Date.now();
      for (let n = 0; n < ITEMS; n++) {
        // A few items span several PostgreSQL chunks; the rest are envelope-sized.
        const size = n % 997 === 5 ? 2.5 * 1024 * 1024 + n : 200 + ((n * 7919) % 6000);
        const bytes = randomBytes(size);
        const id = hex(0x100000 + n);
        await src.createItem(
          {
            id,
            recipient: devices[(n + 1) % DEVICES] as string,
            sender: devices[n % DEVICES] as string,
            envelopeId: `env-${n}`,
            size,
            sha256: sha(bytes),
            createdAt: 10 + n,
          },
          Number.MAX_SAFE_INTEGER,
        );
        if (n % 10 === 9) {
          // Uploading: a part of the bytes recorded.
          const part = bytes.subarray(0, Math.floor(size / 3));
          await src.blobs.writeAt(id, 0, Readable.from([part]), size);
          await src.setItemOffset(id, part.length);
          continue;
        }
        await src.blobs.writeAt(id, 0, Readable.from([bytes]), size);
        await src.completeItem(id);
        if (n % 4 === 0) {
          await src.ackItem(id);
          await src.blobs.delete(id);
        }
      }
      console.log(`migrate: built a relay of ${ITEMS} items in ${Date.now() - started} ms`);
      const before = new Map<string, MailItem>();
      for (let n = 0; n < ITEMS; n++) {
        const id = hex(0x100000 + n);
        before.set(id, (await src.getItem(id)) as MailItem);
      }
      const digests = new Map<string, string>();
      for (const [id, item] of before) {
        if (item.state !== 'acked' && item.offset > 0) digests.set(id, await allBytes(src, id, item.offset));
      }
      // Sealed audit batches, in an arrival order that is not their numbering.
      for (const n of [3, 1, 2])
        await src.putAuditBatch(
          {
            device: devices[0] as string,
            first: n,
            count: 1,
            sealed: new Uint8Array(64).fill(n),
            receivedAt: n,
          },
          100,
        );
      const audits = await src.listAuditBatches(devices[0] as string);
      const snapshot = await src.getDirectorySnapshot();
      const cursors = await Promise.all(devices.map((d) => src.getCursor(d)));
      const inboxes = await Promise.all(devices.map((d) => src.listInbox(d, 0, ITEMS)));
      await src.close();

      const url = await (await sharedPgCluster()).createDatabase();
      const t0 = Date.now();
      const out = await embassy(['hq', 'migrate', '--from', dir, '--to', url, '--json']);
      const seconds = (Date.now() - t0) / 1000;
      expect(out.stderr).toBe('');
      expect(out.code).toBe(0);
      const report = JSON.parse(out.stdout) as MigrationReport;
      console.log(`migrate: ${ITEMS} items in ${seconds.toFixed(1)} s: ${out.stdout.trim()}`);
      expect(report.items.uploading + report.items.complete + report.items.acked).toBe(ITEMS);
      expect(report.verified).toBe(digests.size);
      expect(report.devices).toBe(DEVICES);
      expect(report.auditBatches).toBe(3);

      // Every item, read back on its own: the same record and the same bytes.
      const pg = await PgRelayStore.open(url, { create: false });
      try {
        let checked = 0;
        for (const [id, item] of before) {
          expect(await pg.getItem(id)).toEqual(item);
          const digest = digests.get(id);
          if (digest !== undefined) {
            expect(await allBytes(pg, id, item.offset)).toBe(digest);
            if (item.state === 'complete') expect(digest).toBe(item.sha256);
            checked++;
          }
        }
        console.log(`migrate: ${before.size} records equal, ${checked} items' bytes equal by SHA-256`);
        expect(await pg.getDirectorySnapshot()).toEqual(snapshot);
        expect(await pg.listAuditBatches(devices[0] as string)).toEqual(audits);
        expect(await Promise.all(devices.map((d) => pg.getCursor(d)))).toEqual(cursors);
        expect(await Promise.all(devices.map((d) => pg.listInbox(d, 0, ITEMS)))).toEqual(inboxes);
        // New mail continues after the moved cursors.
        const highest = Math.max(...[...before.values()].map((i) => i.cursor));
        const next = randomBytes(100);
        await pg.createItem(
          {
            id: hex(0xfffff),
            recipient: devices[1] as string,
            sender: devices[0] as string,
            envelopeId: 'env-after',
            size: 100,
            sha256: sha(next),
            createdAt: 1,
          },
          Number.MAX_SAFE_INTEGER,
        );
        expect((await pg.completeItem(hex(0xfffff))).cursor).toBeGreaterThan(highest);
      } finally {
        await pg.close();
      }
      // A second run onto the same database is refused (it holds a relay now).
      const again = await embassy(['hq', 'migrate', '--from', dir, '--to', url]);
      expect(again.code).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 1_800_000);
});
