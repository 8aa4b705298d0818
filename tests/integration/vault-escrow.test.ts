import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core';
import { openEscrow } from '../../electron/core/vault/escrow-wrapper';
import type { EscrowWrappedVaultKey } from '../../electron/core/vault/key-wrapper';
import { loadSodium } from '../../electron/core/vault/sodium';
import { must, PASSPHRASE } from './vault-harness';

/**
 * Policy escrow: a vault created while policy names an HQ recovery key carries, beside the
 * officer's wrapper, the vault key sealed to that key. HQ, holding only its recovery key pair
 * and the profile's files, opens the database with the standard SQLCipher v4 settings; any
 * other key pair opens nothing, and the record says which HQ key it was sealed to.
 */
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('escrow to the HQ recovery key', () => {
  it('HQ recovers a vault with its recovery key alone; another key pair opens nothing', async () => {
    const sodium = await loadSodium();
    const hq = sodium.crypto_box_keypair();
    const profileDir = mkdtempSync(join(tmpdir(), 'embassy-escrow-'));
    dirs.push(profileDir);
    const core = createCore({
      profileDir,
      version: 'test',
      vault: { escrow: { publicKey: hq.publicKey, label: 'HQ recovery 2026' } },
    });
    const created = await must(core, 'vault.create', { profile: 'passphrase', passphrase: PASSPHRASE });
    expect(created.escrow).toBe(true);
    const subject = 'Hồ sơ thu hồi khẩn cấp — escrow-7c1e';
    const doc = await must(core, 'documents.add', {
      subject,
      direction: 'internal',
      classification: 'secret',
      body: 'Nội dung chỉ đọc được với khóa phục hồi của Bộ.',
    });
    await must(core, 'vault.lock', {});
    await core.close();

    // HQ's side: the key file and the database, no passphrase, no token, no app code path
    // but the escrow opener.
    const keyFile = JSON.parse(readFileSync(join(profileDir, 'vault', 'vault.key'), 'utf8')) as {
      vaultId: string;
      wrappers: { kind: string }[];
    };
    const records = keyFile.wrappers.filter((w) => w.kind === 'escrow') as unknown as EscrowWrappedVaultKey[];
    expect(records).toHaveLength(1);
    const record = records[0] as EscrowWrappedVaultKey;
    expect(record.recipient).toEqual({
      keyId: sodium.to_hex(sodium.crypto_generichash(16, hq.publicKey, null)),
      label: 'HQ recovery 2026',
    });
    const other = sodium.crypto_box_keypair();
    expect(() => openEscrow(sodium, record, other)).toThrow();

    const { vaultId, key } = openEscrow(sodium, record, hq);
    expect(vaultId).toBe(keyFile.vaultId);
    expect(key).toHaveLength(32);
    const db = new Database(join(profileDir, 'vault', 'vault.db'), { readonly: true, fileMustExist: true });
    try {
      db.pragma(`cipher = 'sqlcipher'`);
      db.pragma('legacy = 4');
      db.key(Buffer.from(`x'${Buffer.from(key).toString('hex')}'`));
      const row = db.prepare('SELECT subject FROM documents WHERE id = ?').get(doc.id) as
        { subject: string } | undefined;
      expect(row?.subject).toBe(subject);
    } finally {
      db.close();
      key.fill(0);
    }

    // The same file with a wrong key is not a database.
    const wrong = new Database(join(profileDir, 'vault', 'vault.db'), {
      readonly: true,
      fileMustExist: true,
    });
    try {
      wrong.pragma(`cipher = 'sqlcipher'`);
      wrong.pragma('legacy = 4');
      wrong.key(Buffer.from(`x'${Buffer.alloc(32, 1).toString('hex')}'`));
      expect(() => wrong.prepare('SELECT count(*) FROM documents').get()).toThrow();
    } finally {
      wrong.close();
    }
  }, 60_000);
});
