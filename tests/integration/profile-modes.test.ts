import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core';
import type { CallName } from '../../shared/contract/call-names';
import type { CallOutput } from '../../shared/contract/calls';
import { UPLOAD_PIECE_BYTES } from '../../shared/contract/vault-calls';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import { makePdf } from '../fixtures/verifiers';

/**
 * Every file the workstation writes is 0600 and every folder 0700, whatever the umask: a
 * realistic session (driver chosen by id over IPC, token-bound vault, settings, idle delay,
 * documents, attachments inline and in pieces, messages, batch signing into the vault, lock
 * and unlock, a CLI export), then a walk of the profile while the vault is open (WAL and SHM
 * present) and again after close. The profile folder is made 0755 beforehand, as an older
 * version or a hand-made folder would leave it.
 */
let token: SoftHsmToken;
let core: Core;
let root: string;
let profileDir: string;
let exportsDir: string;
const savedUmask = process.umask(0o022);

async function call<N extends CallName>(
  name: N,
  input: unknown,
  transport = 'ipc' as 'ipc' | 'cli',
): Promise<CallOutput<N>> {
  const r = await core.dispatch(name, input, { transport });
  if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}`);
  return r.value as CallOutput<N>;
}

function walk(dir: string): { path: string; dir: boolean; mode: number }[] {
  const out = [{ path: dir, dir: true, mode: lstatSync(dir).mode & 0o777 }];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = lstatSync(path);
    if (st.isDirectory()) out.push(...walk(path));
    else out.push({ path, dir: false, mode: st.mode & 0o777 });
  }
  return out;
}

function wrongModes(dir: string): string[] {
  return walk(dir)
    .filter((e) => e.mode !== (e.dir ? 0o700 : 0o600))
    .map((e) => `${e.path.slice(root.length)} ${e.mode.toString(8)}`);
}

beforeAll(async () => {
  token = await createSoftHsmToken({ label: 'Modes', keys: ['rsa'] });
  root = mkdtempSync(join(tmpdir(), 'embassy-modes-'));
  profileDir = join(root, 'profile');
  exportsDir = join(root, 'exports');
  mkdirSync(profileDir, { mode: 0o755 });
  chmodSync(profileDir, 0o755);
  mkdirSync(exportsDir, { mode: 0o700 });
  core = createCore({
    profileDir,
    version: 'test',
    signing: { tokenHost: { env: token.env }, trust: { anchorFiles: [token.ca.rootPath] } },
  });
}, 120_000);

afterAll(async () => {
  await core?.close();
  await token?.cleanup();
  process.umask(savedUmask);
});

describe('file modes in the profile', () => {
  it('after a realistic session every file is 0600 and every folder 0700', async () => {
    await call('settings.update', { language: 'en', pkcs11Driver: 'softhsm2' });
    await call('vault.create', {
      profile: 'token',
      driver: 'softhsm2',
      tokenLabel: token.label,
      pin: token.pin,
    });
    await call('vault.configure', { idleTimeoutSeconds: 900 });
    const pdf = await makePdf(1);
    const doc = await call('documents.add', { subject: 'Công hàm', classification: 'confidential' });
    await call('attachments.add', {
      documentId: doc.id,
      source: { kind: 'bytes', base64: pdf.toString('base64') },
      name: 'note.pdf',
    });
    const big = Buffer.alloc(UPLOAD_PIECE_BYTES + 1000, 7);
    const up = await call('attachments.upload.begin', {
      documentId: doc.id,
      name: 'big.bin',
      size: big.length,
    });
    for (let offset = 0; offset < big.length; offset += UPLOAD_PIECE_BYTES) {
      const piece = big.subarray(offset, offset + UPLOAD_PIECE_BYTES);
      await call('attachments.upload.append', {
        uploadId: up.uploadId,
        offset,
        base64: piece.toString('base64'),
      });
    }
    await call('attachments.upload.finish', { uploadId: up.uploadId });
    await call('messages.add', {
      subject: 'Ký gấp',
      documentId: doc.id,
      from: 'Desk',
      to: ['HQ'],
      body: 'Xin ký.',
    });
    const job = await call('sign.documents', {
      documentIds: [doc.id],
      token: { label: token.label },
      pin: token.pin,
    });
    let state = job;
    for (let i = 0; i < 300 && state.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = await call('sign.progress', { jobId: job.jobId });
    }
    expect(state.state).toBe('done');
    await call('vault.lock', {});
    await call('vault.unlock', { pin: token.pin });
    await call('documents.list', {});
    // The CLI's export: a signed copy of a file, written where the officer asked.
    const source = join(exportsDir, 'letter.pdf');
    await import('node:fs/promises').then((fs) => fs.writeFile(source, pdf, { mode: 0o600 }));
    const signed = await call(
      'sign.files',
      {
        files: [{ path: source, output: join(exportsDir, 'letter.signed.pdf') }],
        token: { label: token.label },
        pin: token.pin,
      },
      'cli',
    );
    expect(signed.results.every((r) => r.ok)).toBe(true);

    const open = walk(profileDir);
    const names = open.map((e) => e.path.slice(profileDir.length));
    expect(names).toEqual(expect.arrayContaining(['/vault/vault.db', '/vault/vault.key', '/settings.json']));
    expect(names.some((n) => n.endsWith('vault.db-wal'))).toBe(true);
    expect(wrongModes(profileDir), 'while open').toEqual([]);
    expect(lstatSync(join(exportsDir, 'letter.signed.pdf')).mode & 0o777).toBe(0o600);

    await core.close();
    expect(wrongModes(profileDir), 'after close').toEqual([]);
    console.log(
      `profile-modes: ${open.length} entries checked while open, ${walk(profileDir).length} after close`,
    );
  }, 180_000);
});
