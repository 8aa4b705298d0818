import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallName } from '../../shared/contract/call-names';
import type { CallOutput } from '../../shared/contract/calls';
import { createCore, type Core } from '../../electron/core';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import { makePdf, nssDbTrusting, opensslCmsVerify, pdfsig, writeTemp } from '../fixtures/verifiers';
import { readAttachmentBytes, signJobFinished } from './vault-harness';

/**
 * Signing documents that live in the vault, through the contract, with real parts: a vault
 * bound to a SoftHSM token, signing with the same token (one shared token process), pdfsig
 * as the independent verifier of what the vault stored.
 */
let token: SoftHsmToken;
let core: Core;
let dir: string;

async function call<N extends CallName>(name: N, input: unknown): Promise<CallOutput<N>> {
  const r = await core.dispatch(name, input, { transport: 'direct' });
  if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}`);
  return r.value as CallOutput<N>;
}

const finished = (jobId: string) => signJobFinished(core, jobId);

const readAll = (id: string) => readAttachmentBytes(core, id);

beforeAll(async () => {
  token = await createSoftHsmToken({ label: 'Doc Signing', keys: ['rsa'] });
  dir = await mkdtemp(join(tmpdir(), 'embassy-docsign-'));
  core = createCore({
    profileDir: join(dir, 'profile'),
    version: 'test',
    signing: { tokenHost: { env: token.env }, trust: { anchorFiles: [token.ca.rootPath] } },
  });
  await call('vault.create', {
    profile: 'token',
    modulePath: token.modulePath,
    tokenLabel: token.label,
    pin: token.pin,
  });
}, 120_000);

afterAll(async () => {
  await core?.close();
  await token?.cleanup();
});

describe('signing vault documents', () => {
  it('signs two documents with one PIN; the signed PDFs go back into the vault and pdfsig and our verifier agree', async () => {
    const ids: string[] = [];
    for (const subject of ['Note verbale A', 'Công hàm B']) {
      const doc = await call('documents.add', { subject, classification: 'confidential' });
      await call('attachments.add', {
        documentId: doc.id,
        source: { kind: 'bytes', base64: (await makePdf(1)).toString('base64') },
        name: 'note.pdf',
      });
      ids.push(doc.id);
    }
    const bare = await call('documents.add', { subject: 'No PDF here' });

    const started = await call('sign.documents', {
      documentIds: [...ids, bare.id],
      token: { label: token.label },
      pin: token.pin,
      reason: 'Approved',
      location: 'Canberra',
    });
    expect(started.state).toBe('running');
    const done = await finished(started.jobId);
    expect(done.state).toBe('done');
    expect(done.results.filter((r) => r.ok).map((r) => r.documentId)).toEqual(ids);
    expect(done.results.find((r) => r.documentId === bare.id)?.error?.code).toBe('E_SIGN_UNSUPPORTED_FILE');

    const nss = await nssDbTrusting([token.ca.rootPath]);
    for (const id of ids) {
      const detail = await call('documents.get', { id });
      expect(detail.document.status).toBe('signed');
      const signed = detail.attachments.find((a) => a.name === 'note.v1.signed.pdf');
      expect(signed).toBeDefined();
      const report = await call('verify.attachment', { id: signed?.id ?? '' });
      expect(report.verdict).toBe('valid');
      expect(report.signatures[0]?.signer).toBeTruthy();
      const file = join(dir, `${id}.pdf`);
      await writeFile(file, await readAll(signed?.id ?? ''));
      const independent = await pdfsig(file, nss);
      expect(independent).toHaveLength(1);
      expect(independent[0]?.valid).toBe(true);
      expect(independent[0]?.trusted).toBe(true);
    }
  }, 120_000);

  it('the visible stamp is in Vietnamese with its diacritics, in the embedded font, and pdfsig still verifies', async () => {
    const doc = await call('documents.add', { subject: 'Stamp' });
    await call('attachments.add', {
      documentId: doc.id,
      source: { kind: 'bytes', base64: (await makePdf(1)).toString('base64') },
      name: 'stamp.pdf',
    });
    const done = await finished(
      (
        await call('sign.documents', {
          documentIds: [doc.id],
          token: { label: token.label },
          pin: token.pin,
          reason: 'Phê duyệt',
          location: 'Hà Nội',
          visible: true,
          language: 'vi',
        })
      ).jobId,
    );
    expect(done.results).toEqual([expect.objectContaining({ ok: true })]);
    const signed = (await call('documents.get', { id: doc.id })).attachments.find(
      (a) => a.name === 'stamp.v1.signed.pdf',
    );
    const file = join(dir, 'stamp.signed.pdf');
    await writeFile(file, await readAll(signed?.id ?? ''));
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('Lý do: Phê duyệt');
    expect(text).toContain('Nơi ký: Hà Nội');
    expect(text).toContain('Người ký:');
    expect(text).not.toContain('Phe duyet');
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' });
    // name type encoding emb sub uni: the stamp's font is embedded, CID TrueType, with ToUnicode.
    expect(fonts).toMatch(/BeVietnamPro-F\d+\s+CID TrueType\s+Identity-H\s+yes\s+no\s+yes/);
    // Only the page's own Helvetica (the test PDF's text) remains; the stamp adds none.
    expect(fonts.match(/Helvetica/g)).toHaveLength(1);
    const independent = await pdfsig(file, await nssDbTrusting([token.ca.rootPath]));
    expect(independent).toEqual([expect.objectContaining({ valid: true, trusted: true })]);
    // For a person to look at: the page with its stamp.
    execFileSync('pdftoppm', ['-r', '110', '-png', '-f', '1', '-l', '1', file, join(dir, 'stamp-page')]);
    if (process.env.STAMP_PNG_DIR) {
      execFileSync('cp', [join(dir, 'stamp-page-1.png'), process.env.STAMP_PNG_DIR]);
    }
  }, 120_000);

  it('CAdES signs a text attachment as a detached .p7s that openssl verifies; PAdES refuses that document by name', async () => {
    const text = 'Biên bản họp — minutes of the meeting\n';
    const doc = await call('documents.add', { subject: 'Text only' });
    await call('attachments.add', {
      documentId: doc.id,
      source: { kind: 'bytes', base64: Buffer.from(text).toString('base64') },
      name: 'minutes.txt',
      mediaType: 'text/plain',
    });
    const pades = await finished(
      (await call('sign.documents', { documentIds: [doc.id], token: { label: token.label }, pin: token.pin }))
        .jobId,
    );
    expect(pades.results).toEqual([
      expect.objectContaining({
        documentId: doc.id,
        ok: false,
        error: expect.objectContaining({ code: 'E_SIGN_UNSUPPORTED_FILE' }),
      }),
    ]);

    const refused = await core.dispatch(
      'sign.documents',
      {
        documentIds: [doc.id],
        format: 'cades',
        visible: true,
        token: { label: token.label },
        pin: token.pin,
      },
      { transport: 'direct' },
    );
    expect(refused.ok ? null : refused.error.code).toBe('E_INVALID_INPUT');

    const cades = await finished(
      (
        await call('sign.documents', {
          documentIds: [doc.id],
          format: 'cades',
          token: { label: token.label },
          pin: token.pin,
        })
      ).jobId,
    );
    expect(cades.state).toBe('done');
    expect(cades.results).toEqual([expect.objectContaining({ documentId: doc.id, ok: true })]);
    const detail = await call('documents.get', { id: doc.id });
    expect(detail.document.status).toBe('signed');
    const p7s = detail.attachments.find((a) => a.name === 'minutes.txt.p7s');
    expect(p7s?.mediaType).toBe('application/pkcs7-signature');
    const sigFile = await writeTemp(dir, 'minutes.txt.p7s', await readAll(p7s?.id ?? ''));
    const contentFile = await writeTemp(dir, 'minutes.txt', text);
    const verified = await opensslCmsVerify(sigFile, contentFile, token.ca.rootPath, ['-purpose', 'any']);
    expect(verified.stderr).toContain('Verification successful');
    expect(verified.ok).toBe(true);
    const forged = await writeTemp(dir, 'forged.txt', `${text}!`);
    expect((await opensslCmsVerify(sigFile, forged, token.ca.rootPath, ['-purpose', 'any'])).ok).toBe(false);
  }, 120_000);

  it('a wrong PIN fails the whole batch with a typed error and signs nothing', async () => {
    const doc = await call('documents.add', { subject: 'Unsigned' });
    await call('attachments.add', {
      documentId: doc.id,
      source: { kind: 'bytes', base64: (await makePdf(1)).toString('base64') },
      name: 'x.pdf',
    });
    const started = await call('sign.documents', {
      documentIds: [doc.id],
      token: { label: token.label },
      pin: '999999',
    });
    const done = await finished(started.jobId);
    expect(done.state).toBe('failed');
    expect(done.error?.code).toBe('E_TOKEN_PIN_INCORRECT');
    expect(JSON.stringify(done)).not.toContain('999999');
    expect((await call('documents.get', { id: doc.id })).document.status).toBe('draft');
  }, 60_000);

  it('verify.bytes says invalid for a signed PDF with one byte changed in its signed range', async () => {
    const doc = await call('documents.add', { subject: 'Tamper' });
    await call('attachments.add', {
      documentId: doc.id,
      source: { kind: 'bytes', base64: (await makePdf(1)).toString('base64') },
      name: 't.pdf',
    });
    const done = await finished(
      (await call('sign.documents', { documentIds: [doc.id], token: { label: token.label }, pin: token.pin }))
        .jobId,
    );
    const signedId = done.results[0]?.attachmentId ?? '';
    const bytes = await readAll(signedId);
    expect((await call('verify.bytes', { base64: bytes.toString('base64') })).verdict).toBe('valid');
    const at = bytes.indexOf('/Type /Page');
    const tampered = Buffer.from(bytes);
    tampered[at + 1] = 'X'.charCodeAt(0);
    const report = await call('verify.bytes', { base64: tampered.toString('base64') });
    expect(report.verdict).toBe('invalid');
  }, 60_000);

  it('approval is the approver’s signature on the version: refused without it, verified when shown, and openssl agrees', async () => {
    const seen: string[] = [];
    const stop = core.transitions.onTransition((e) => {
      seen.push(`${e.detail.document.id === doc.id ? 'doc' : 'other'}:${e.from}>${e.to}:${e.cause}`);
    });
    const doc = await call('documents.add', {
      subject: 'Công hàm duyệt',
      direction: 'outgoing',
      kind: 'note-verbale',
    });
    expect(doc.registryNumber).toMatch(/^\d+\/\d{4}\/NV$/);
    await call('attachments.add', {
      documentId: doc.id,
      source: { kind: 'bytes', base64: (await makePdf(1)).toString('base64') },
      name: 'note.pdf',
    });
    const approve = { id: doc.id, token: { label: token.label }, pin: token.pin };
    // Not in review yet: refused before any PIN is used.
    const early = await core.dispatch('documents.approve', approve, { transport: 'direct' });
    expect(!early.ok && early.error.code).toBe('E_TRANSITION_REFUSED');
    await call('documents.update', { id: doc.id, baseVersion: 1, subject: 'Công hàm duyệt (v2)' });
    await call('documents.transition', { id: doc.id, to: 'in-review' });
    // Approval without a signature, through the plain transition: refused.
    const plain = await core.dispatch(
      'documents.transition',
      { id: doc.id, to: 'approved' },
      { transport: 'direct' },
    );
    expect(!plain.ok && plain.error.code).toBe('E_TRANSITION_REFUSED');
    // A wrong PIN approves nothing.
    const wrong = await core.dispatch(
      'documents.approve',
      { ...approve, pin: '999999' },
      { transport: 'direct' },
    );
    expect(!wrong.ok && wrong.error.code).toBe('E_TOKEN_PIN_INCORRECT');
    expect(JSON.stringify(wrong)).not.toContain('999999');
    expect((await call('documents.get', { id: doc.id })).document.status).toBe('in-review');

    const approved = await call('documents.approve', approve);
    expect(approved.document.status).toBe('approved');
    const entry = approved.history.find((e) => e.to === 'approved');
    expect(entry?.version).toBe(2);
    expect(entry?.approval?.verdict).toBe('valid');
    expect(entry?.approval?.signer).toBeTruthy();
    // Shown again: verified again.
    const shown = await call('documents.get', { id: doc.id });
    expect(shown.history.find((e) => e.to === 'approved')?.approval?.verdict).toBe('valid');

    // The independent verifier: openssl over the stored encoding and signature.
    const stored = await core.vault.run('documents.get', { id: doc.id });
    const a = stored.approvals[0];
    expect(a).toBeDefined();
    expect(JSON.parse(a?.content ?? '{}')).toMatchObject({ document: doc.id, version: 2 });
    const p7s = await writeTemp(dir, 'approval.p7s', a?.signature ?? new Uint8Array());
    const content = await writeTemp(dir, 'approval.json', a?.content ?? '');
    expect((await opensslCmsVerify(p7s, content, token.ca.rootPath, ['-purpose', 'any'])).ok).toBe(true);
    const forged = await writeTemp(dir, 'approval-forged.json', (a?.content ?? '').replace('(v2)', '(v3)'));
    expect((await opensslCmsVerify(p7s, forged, token.ca.rootPath, ['-purpose', 'any'])).ok).toBe(false);

    // Approved: no edit until back to draft.
    const edit = await core.dispatch(
      'documents.update',
      { id: doc.id, baseVersion: 2, body: 'x' },
      { transport: 'direct' },
    );
    expect(!edit.ok && edit.error.code).toBe('E_DOCUMENT_NOT_EDITABLE');

    // Signed twice: two copies, named by version, never the same name.
    for (let i = 0; i < 2; i++) {
      const done = await finished(
        (
          await call('sign.documents', {
            documentIds: [doc.id],
            token: { label: token.label },
            pin: token.pin,
          })
        ).jobId,
      );
      expect(done.results[0]?.ok).toBe(true);
    }
    const after = await call('documents.get', { id: doc.id });
    expect(after.document.status).toBe('signed');
    expect(after.attachments.map((x) => x.name)).toEqual([
      'note.pdf',
      'note.v2.signed.pdf',
      'note.v2-2.signed.pdf',
    ]);
    expect(after.history.map((e) => `${e.from}>${e.to}:${e.cause}`)).toEqual([
      'draft>in-review:officer',
      'in-review>approved:officer',
      'approved>signed:signing',
    ]);
    // Every change made in the core passed its one door. Registering a received document is
    // made in the worker, with its receipt (register-received.ts), as sent and acknowledged are.
    const incoming = await call('documents.add', { subject: 'Điện đến', direction: 'incoming' });
    const registered = await call('documents.transition', { id: incoming.id, to: 'registered' });
    expect(registered.document.status).toBe('registered');
    expect(registered.history.map((e) => `${e.from}>${e.to}:${e.cause}`)).toEqual([
      'received>registered:officer',
    ]);
    stop();
    expect(seen).toEqual([
      'doc:draft>in-review:officer',
      'doc:in-review>approved:officer',
      'doc:approved>signed:signing',
    ]);
  }, 120_000);
});
