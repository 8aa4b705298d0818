import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCore, type Core } from '../../electron/core';
import { call, must, PASSPHRASE } from './vault-harness';

/**
 * `export.attachment`: a file leaves the vault only deliberately. The attacks: an export while
 * the vault is locked, a Top secret export without the confirmation that names its marking, a
 * path sent by the caller, an attachment of another document. The export itself is recorded
 * (ids, marking, channel) and the file holds exactly the attachment's bytes.
 */

const content = new TextEncoder().encode('Tối mật: kế hoạch chuyến thăm\n');
let core: Core;
let outDir: string;
let nextPath: string | null;
const pickSavePath = vi.fn(async (_name: string) => nextPath);
let topSecret: { documentId: string; attachmentId: string };
let confidential: { documentId: string; attachmentId: string };

async function addDoc(classification: 'top-secret' | 'confidential', name: string) {
  const doc = await must(core, 'documents.add', { subject: `Export ${classification}`, classification });
  const att = await must(core, 'attachments.add', {
    documentId: doc.id,
    source: { kind: 'bytes', base64: Buffer.from(content).toString('base64') },
    name,
  });
  return { documentId: doc.id, attachmentId: att.id };
}

async function auditKinds() {
  const log = await must(core, 'audit.list', { limit: 50 });
  return log.entries.filter((e) => e.kind.startsWith('document.'));
}

beforeAll(async () => {
  const profileDir = mkdtempSync(join(tmpdir(), 'embassy-export-'));
  outDir = mkdtempSync(join(tmpdir(), 'embassy-export-out-'));
  core = createCore({ profileDir, version: 'test', export: { pickSavePath } });
  await must(core, 'vault.create', { profile: 'passphrase', passphrase: PASSPHRASE });
  topSecret = await addDoc('top-secret', '../../kế hoạch.txt');
  confidential = await addDoc('confidential', 'note.txt');
}, 180_000);
afterAll(async () => {
  await core.close();
});

describe('export.attachment', () => {
  it('refuses a Top secret export without a confirmation naming Top secret, before any dialog', async () => {
    pickSavePath.mockClear();
    for (const confirmedMarking of [undefined, 'secret', 'confidential'] as const) {
      const r = await call(core, 'export.attachment', {
        ...topSecret,
        channel: 'save',
        ...(confirmedMarking ? { confirmedMarking } : {}),
      });
      expect(r.ok ? 'ok' : r.error.code).toBe('E_MARKING_UNCONFIRMED');
    }
    const p = await call(core, 'export.attachment', { ...topSecret, channel: 'print' });
    expect(p.ok ? 'ok' : p.error.code).toBe('E_MARKING_UNCONFIRMED');
    expect(pickSavePath).not.toHaveBeenCalled();
    const refused = (await auditKinds()).filter((e) => e.kind === 'document.export-refused');
    expect(refused).toHaveLength(4);
    expect(refused[0]?.refs).toMatchObject({
      ...topSecret,
      marking: 'top-secret',
      code: 'E_MARKING_UNCONFIRMED',
    });
  });

  it("saves where main's dialog says, the exact bytes, with a name that picks no folder, and records it", async () => {
    pickSavePath.mockClear();
    nextPath = join(outDir, 'saved.txt');
    const r = await must(core, 'export.attachment', {
      ...topSecret,
      channel: 'save',
      confirmedMarking: 'top-secret',
    });
    expect(r).toEqual({ outcome: 'saved', marking: 'top-secret', fileName: 'kế hoạch.txt' });
    expect(pickSavePath).toHaveBeenCalledWith('kế hoạch.txt');
    expect(new Uint8Array(readFileSync(nextPath))).toEqual(content);
    const exported = (await auditKinds()).filter((e) => e.kind === 'document.exported');
    expect(exported).toHaveLength(1);
    // Ids, marking and channel: no path, no name, no content.
    expect(exported[0]?.refs).toEqual({ ...topSecret, marking: 'top-secret', channel: 'save' });
  });

  it('a cancelled dialog writes nothing and records nothing', async () => {
    nextPath = null;
    const before = (await auditKinds()).length;
    const r = await must(core, 'export.attachment', { ...confidential, channel: 'save' });
    expect(r.outcome).toBe('cancelled');
    expect((await auditKinds()).length).toBe(before);
  });

  it('printing is recorded and left to the caller; Confidential needs no confirmation', async () => {
    const r = await must(core, 'export.attachment', { ...confidential, channel: 'print' });
    expect(r).toEqual({ outcome: 'deliver', marking: 'confidential', fileName: 'note.txt' });
    const last = (await auditKinds())[0];
    expect(last).toMatchObject({ kind: 'document.exported', refs: { ...confidential, channel: 'print' } });
  });

  it('refuses a path from the caller, and an attachment of another document', async () => {
    const withPath = await core.dispatch(
      'export.attachment',
      { ...confidential, channel: 'save', path: '/tmp/x' },
      { transport: 'bridge' },
    );
    expect(withPath.ok ? 'ok' : withPath.error.code).toBe('E_INVALID_INPUT');
    const crossed = await call(core, 'export.attachment', {
      documentId: confidential.documentId,
      attachmentId: topSecret.attachmentId,
      channel: 'save',
      confirmedMarking: 'top-secret',
    });
    expect(crossed.ok ? 'ok' : crossed.error.code).toBe('E_NOT_FOUND');
  });

  it('refuses while the vault is locked, before any dialog', async () => {
    pickSavePath.mockClear();
    nextPath = join(outDir, 'locked.txt');
    writeFileSync(nextPath, 'untouched');
    await must(core, 'vault.lock', {});
    const r = await call(core, 'export.attachment', { ...confidential, channel: 'save' });
    expect(r.ok ? 'ok' : r.error.code).toBe('E_VAULT_LOCKED');
    expect(pickSavePath).not.toHaveBeenCalled();
    expect(readFileSync(nextPath, 'utf8')).toBe('untouched');
  });
});
