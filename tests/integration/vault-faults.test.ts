import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core';
import { vaultPaths } from '../../electron/core/vault/vault-service';
import { flipped } from '../helpers/must';
import { call, must, PASSPHRASE, sha256File, vaultCore } from './vault-harness';

/**
 * Failure is clear and nothing is lost: a corrupt or truncated database is refused with
 * E_VAULT_CORRUPT and left byte for byte as it was; a full disk fails the write with
 * E_DISK_FULL and keeps what was committed; the wipe takes under a second on a big vault.
 */
const cores: Core[] = [];
afterAll(async () => {
  for (const c of cores) await c.vault.dispose();
});

describe('a damaged vault is refused and left untouched', () => {
  it('corrupt page, truncation and a damaged key file each give a typed error; the bytes never change', async () => {
    const { core, profileDir } = vaultCore();
    cores.push(core);
    await must(core, 'vault.create', { profile: 'passphrase', passphrase: PASSPHRASE });
    const doc = await must(core, 'documents.add', {
      subject: 'Survives the tests',
      body: 'x'.repeat(20_000),
    });
    await must(core, 'attachments.add', {
      documentId: doc.id,
      source: { kind: 'bytes', base64: randomBytes(600_000).toString('base64') },
      name: 'filler.bin',
    });
    await must(core, 'vault.lock', {});
    const { db, keyFile } = vaultPaths(profileDir);
    const original = readFileSync(db);
    const originalKeyFile = readFileSync(keyFile);
    expect(original.length).toBeGreaterThan(600_000);

    const damages: [string, () => void][] = [
      ['a flipped byte in page 1', () => writeFileSync(db, flipped(original, 100))],
      ['a flipped byte in a later page', () => writeFileSync(db, flipped(original, 4096 * 3 + 200))],
      ['truncated to half (page-aligned)', () => truncateSync(db, Math.floor(original.length / 8192) * 4096)],
      ['truncated mid-page', () => truncateSync(db, original.length - 1000)],
    ];
    for (const [what, damage] of damages) {
      writeFileSync(db, original);
      damage();
      const before = sha256File(db);
      const r = await call(core, 'vault.unlock', { passphrase: PASSPHRASE });
      expect(r, what).toMatchObject({ ok: false, error: { code: 'E_VAULT_CORRUPT' } });
      expect(sha256File(db), what).toBe(before);
      expect((await must(core, 'vault.status', {})).state, what).toBe('locked');
    }

    writeFileSync(db, original);
    writeFileSync(keyFile, originalKeyFile.subarray(0, 50));
    const fresh = createCore({ profileDir, version: 'test' });
    cores.push(fresh);
    expect(await call(fresh, 'vault.unlock', { passphrase: PASSPHRASE })).toMatchObject({
      ok: false,
      error: { code: 'E_VAULT_CORRUPT' },
    });
    expect(readFileSync(keyFile).length).toBe(50);

    // Restored, it opens and everything is there.
    writeFileSync(keyFile, originalKeyFile);
    const again = createCore({ profileDir, version: 'test' });
    cores.push(again);
    await must(again, 'vault.unlock', { passphrase: PASSPHRASE });
    expect((await must(again, 'documents.get', { id: doc.id })).attachments).toHaveLength(1);
  });
});

const isRoot = process.getuid?.() === 0;

describe('disk full', () => {
  // A real full disk: a 3 MiB tmpfs (needs root, which CI has; elsewhere this reports skipped).
  it.runIf(isRoot)('fails the write with E_DISK_FULL and keeps everything committed before', async () => {
    const mountPoint = mkdtempSync(join(tmpdir(), 'embassy-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m,mode=0700', 'tmpfs', mountPoint]);
    try {
      const core = createCore({ profileDir: mountPoint, version: 'test' });
      await must(core, 'vault.create', { profile: 'passphrase', passphrase: PASSPHRASE });
      const committed: string[] = [];
      let failure: { code: string } | null = null;
      for (let i = 0; i < 40 && !failure; i++) {
        const doc = await call(core, 'documents.add', {
          subject: `Committed ${i}`,
          body: randomBytes(30_000).toString('hex'),
        });
        if (doc.ok) committed.push(doc.value.id);
        else failure = doc.error;
      }
      expect(failure).toMatchObject({ code: 'E_DISK_FULL' });
      expect(committed.length).toBeGreaterThan(5);
      // Still usable for reading, and every acknowledged document is there.
      const listed = await must(core, 'documents.list', { limit: 500 });
      expect(listed.items.map((d) => d.id).sort()).toEqual([...committed].sort());
      await core.vault.dispose();
      // Reopened from disk (WAL recovery included): the same, and the database is sound.
      const reopened = createCore({ profileDir: mountPoint, version: 'test' });
      await must(reopened, 'vault.unlock', { passphrase: PASSPHRASE });
      expect((await must(reopened, 'documents.list', { limit: 500 })).total).toBe(committed.length);
      expect((await reopened.vault.run('integrityCheck', {})).result).toBe('ok');
      await reopened.vault.dispose();
    } finally {
      execFileSync('umount', ['-l', mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    }
  });
});

describe('emergency wipe', () => {
  it('crypto-shreds a 200 MB vault in under a second: no key file, no database files', async () => {
    const { core, profileDir } = vaultCore();
    cores.push(core);
    await must(core, 'vault.create', { profile: 'passphrase', passphrase: PASSPHRASE });
    const doc = await must(core, 'documents.add', { subject: 'Big scan' });
    const big = join(mkdtempSync(join(tmpdir(), 'embassy-big-')), 'scan.bin');
    writeFileSync(big, randomBytes(200 * 1024 * 1024));
    await must(core, 'attachments.add', { documentId: doc.id, source: { kind: 'path', path: big } });
    rmSync(big);
    const paths = vaultPaths(profileDir);
    expect(existsSync(paths.keyFile)).toBe(true);
    const started = performance.now();
    const result = await must(core, 'vault.wipe', { confirm: 'WIPE' });
    const elapsed = performance.now() - started;
    console.log(
      `wipe of a ~200 MB vault: ${elapsed.toFixed(1)} ms (reported ${result.elapsedMs.toFixed(1)} ms)`,
    );
    expect(elapsed).toBeLessThan(1000);
    expect(readdirSync(paths.dir)).toEqual([]);
    expect((await must(core, 'vault.status', {})).state).toBe('absent');
    expect(await call(core, 'documents.list', {})).toMatchObject({
      ok: false,
      error: { code: 'E_VAULT_ABSENT' },
    });
  }, 120_000);
});
