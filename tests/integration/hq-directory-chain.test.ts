import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import sodium from 'libsodium-wrappers-sumo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDirectory } from '../../electron/core/sync/relay';
import {
  chainReaches,
  directoryChainMessage,
  DirectoryResponse,
  type Directory,
  type DirectoryHead,
} from '../../shared/sync/relay-protocol';
import { stopPgCluster } from '../fixtures/relay-backends';
import {
  approvedDevice,
  call,
  embassy,
  openRelayStore,
  startSiblingRelay,
  startTestRelay,
  type TestRelay,
} from './hq-harness';

/**
 * The directory as a hash chain (issue 12 item 2), relay side, on both stores: every version
 * names the one before it, a device that skipped versions is given the steps to walk from its
 * head, the same serial always gives the same bytes, the store extends only its head, and two
 * instances on one PostgreSQL database publish one chain.
 */

const sha256Hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const verify = (m: Uint8Array, s: Uint8Array, k: Uint8Array) => sodium.crypto_sign_verify_detached(s, m, k);

interface Fetched {
  dir: Directory;
  head: DirectoryHead;
  body: DirectoryResponse;
}

async function fetchDirectory(t: TestRelay, token: string, since?: number): Promise<Fetched> {
  const path = since === undefined ? '/v1/directory' : `/v1/directory?since=${since}`;
  const r = await call(t, { path, token });
  expect(r.status).toBe(200);
  const body = DirectoryResponse.parse(r.json());
  const { directory: dir, bytes } = verifyDirectory(
    body,
    Buffer.from(t.relay.hqSignPublicKey, 'base64'),
    verify,
  );
  const hash = sha256Hex(directoryChainMessage(dir.previous?.hash ?? null, dir.serial, sha256Hex(bytes)));
  return { dir, head: { serial: dir.serial, hash }, body };
}

afterAll(stopPgCluster);

for (const db of ['sqlite', 'postgres'] as const) {
  describe(`the directory chain (${db})`, () => {
    let t: TestRelay;
    beforeAll(async () => {
      await sodium.ready;
      t = await startTestRelay(undefined, db === 'postgres' ? { db } : {});
    }, 120_000);
    afterAll(async () => {
      t.agent.destroy();
      await t.relay.close();
      rmSync(t.dataDir, { recursive: true, force: true });
    });

    it('names each version before it, gives the steps a device skipped, and the same bytes per serial', async () => {
      const a = await approvedDevice(t);
      const first = await fetchDirectory(t, a.token);
      expect(first.dir.previous).toBeNull();
      const again = await fetchDirectory(t, a.token);
      expect(again.body).toEqual(first.body);

      const b = await approvedDevice(t);
      const second = await fetchDirectory(t, b.token, first.dir.serial);
      expect(second.dir.previous).toEqual(first.head);
      expect(second.body.steps).toEqual([]);
      expect(chainReaches(sha256Hex, first.head, [], second.dir)).toBe(true);

      // Versions published while `a` was away: it is given them as steps.
      const c = await approvedDevice(t);
      const third = await fetchDirectory(t, c.token);
      await embassy(['hq', 'revoke', ...t.admin, c.device.id]);
      const fourth = await fetchDirectory(t, b.token);
      await approvedDevice(t);
      const fifth = await fetchDirectory(t, a.token, first.dir.serial);
      expect(fifth.body.steps?.map((s) => s.serial)).toEqual([
        second.dir.serial,
        third.dir.serial,
        fourth.dir.serial,
      ]);
      expect(chainReaches(sha256Hex, first.head, fifth.body.steps ?? [], fifth.dir)).toBe(true);
      // A head that is not on the relay's chain is not reached (a fork), nor a later one (a rollback).
      expect(
        chainReaches(sha256Hex, { ...first.head, hash: 'f'.repeat(64) }, fifth.body.steps ?? [], fifth.dir),
      ).toBe(false);
      expect(chainReaches(sha256Hex, fifth.head, [], fourth.dir)).toBe(false);

      const bad = await call(t, { path: '/v1/directory?since=x', token: a.token });
      expect(bad.status).toBe(400);
    });

    it('the store extends only its head', async () => {
      const store = await openRelayStore(t);
      try {
        const head = await store.directoryChain.head();
        if (!head) throw new Error('no head');
        const v = { serial: head.serial + 10, issuedAt: 1, digest: 'a'.repeat(64), link: 'b'.repeat(64) };
        expect(
          await store.directoryChain.append({
            ...v,
            previous: { serial: head.serial, link: 'c'.repeat(64) },
          }),
        ).toBe(false);
        expect(await store.directoryChain.append(v)).toBe(false);
        expect(await store.directoryChain.head()).toEqual(head);
      } finally {
        await store.close();
      }
    });

    if (db === 'postgres') {
      it('two instances on one database publish one chain', async () => {
        const sibling = await startSiblingRelay(t);
        try {
          const a = await approvedDevice(t);
          const heads: Fetched[] = [];
          for (let i = 0; i < 4; i++) {
            await approvedDevice(t);
            const both = await Promise.all([fetchDirectory(t, a.token), fetchDirectory(sibling, a.token)]);
            expect(both[0].body).toEqual(both[1].body);
            heads.push(both[0]);
          }
          for (let i = 1; i < heads.length; i++) {
            const prev = heads[i - 1] as Fetched;
            const cur = heads[i] as Fetched;
            const steps = (await fetchDirectory(t, a.token, prev.dir.serial)).body.steps ?? [];
            expect(cur.dir.serial).toBeGreaterThan(prev.dir.serial);
            expect(
              chainReaches(
                sha256Hex,
                prev.head,
                steps.filter((s) => s.serial < cur.dir.serial),
                cur.dir,
              ),
            ).toBe(true);
          }
        } finally {
          sibling.agent.destroy();
          await sibling.relay.close();
          rmSync(sibling.dataDir, { recursive: true, force: true });
        }
      }, 120_000);
    }
  });
}
