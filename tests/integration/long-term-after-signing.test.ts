import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallName } from '../../shared/contract/call-names';
import type { CallOutput } from '../../shared/contract/calls';
import { createCore, type Core } from '../../electron/core';
import { addValidationData } from '../../electron/core/signing/validation-data';
import { verifyPdf, type TrustSettings, type VerifyReport } from '../../electron/core/signing/verify';
import { pdfSandbox } from '../fixtures/pdf-sandbox';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import { createTestTsa, serveTsa, type TestTsa, type TsaServer } from '../fixtures/tsa';
import { makePdf } from '../fixtures/verifiers';
import { readAttachmentBytes, signJobFinished } from './vault-harness';

/**
 * B-LT in the app, after signing and on demand. The officer's certificate names a CRL
 * distribution point, so a verifier needs revocation data; the workstation's CRL source is a
 * file (as policy would push one). A vault document signed B-T waits until a CRL issued after
 * its timestamp is at hand, then its DSS is added and the B-LT copy stored: 40 days on (the CRL
 * long past its nextUpdate) and with no CRL source at all it still validates. The control: a
 * DSS added at once, with the CRL from before the timestamp, does not hold then. A received
 * signed PDF gets its validation data on the officer's request (`verify.attachmentValidationData`).
 */
const DAY = 86_400_000;
let token: SoftHsmToken;
let tsa: TestTsa;
let server: TsaServer;
let dir: string;
let core: Core;
let crlFile: string;
/** The CRL at hand when the document is signed (issued before its timestamp). */
let oldCrl: Uint8Array;

async function call<N extends CallName>(name: N, input: unknown): Promise<CallOutput<N>> {
  const r = await core.dispatch(name, input, { transport: 'direct' });
  if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}`);
  return r.value as CallOutput<N>;
}

const finished = (jobId: string) => signJobFinished(core, jobId);

const readAll = (id: string) => readAttachmentBytes(core, id);

/** A fresh CRL from the officer's CA, as the workstation's CRL source (policy or a file). */
async function publishCrl(): Promise<void> {
  await writeFile(crlFile, await token.ca.crl([]));
}

const codes = (r: VerifyReport) => r.signatures.flatMap((s) => s.reasons.map((x) => x.code));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'embassy-lt-app-'));
  token = await createSoftHsmToken({
    label: 'Long Term',
    keys: ['rsa'],
    crlDistributionPoint: 'http://127.0.0.1:9/officers.crl',
  });
  tsa = await createTestTsa(dir);
  server = await serveTsa(tsa);
  crlFile = join(dir, 'officers.crl.pem');
  await publishCrl();
  const pem = await readFile(crlFile, 'utf8');
  oldCrl = new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));
  core = createCore({
    profileDir: join(dir, 'profile'),
    version: 'test',
    signing: {
      tokenHost: { env: token.env },
      trust: { anchorFiles: [token.ca.rootPath, tsa.rootPath], crlFiles: [crlFile] },
    },
    sync: { background: false },
  });
  await call('vault.create', {
    profile: 'token',
    modulePath: token.modulePath,
    tokenLabel: token.label,
    pin: token.pin,
  });
  await call('settings.update', { tsaUrl: server.url });
}, 120_000);

afterAll(async () => {
  await core?.close();
  await server?.close();
  await token?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('long-term validation data in the app', () => {
  const anchors = () => [new X509Certificate(token.ca.rootPem), new X509Certificate(tsa.rootPem)];
  /** No CRL source at all, 40 days on: what a verifier years later has. */
  const later = (): TrustSettings => ({ anchors: anchors(), crls: [], now: new Date(Date.now() + 40 * DAY) });

  it('signed B-T, the DSS waits for a CRL issued after the timestamp, then the B-LT copy outlives its CRL source', async () => {
    const doc = await call('documents.add', { subject: 'Công hàm dài hạn' });
    await call('attachments.add', {
      documentId: doc.id,
      source: { kind: 'bytes', base64: (await makePdf(1)).toString('base64') },
      name: 'note.pdf',
    });
    const done = await finished(
      (await call('sign.documents', { documentIds: [doc.id], token: { label: token.label }, pin: token.pin }))
        .jobId,
    );
    expect(done.results[0]?.ok).toBe(true);
    const btId = done.results[0]?.attachmentId ?? '';
    const bt = await readAll(btId);
    expect((await call('verify.attachment', { id: btId })).verdict).toBe('valid');

    // The CRL at hand was issued before the timestamp: nothing adequate yet, the file waits.
    expect(await call('sign.timestamps', {})).toEqual({ stamped: 0, pending: 1 });
    expect((await call('documents.get', { id: doc.id })).attachments.map((a) => a.id).at(-1)).toBe(btId);
    // The control: that CRL put in the DSS at once would not hold 40 days on.
    const early = await addValidationData(
      bt,
      { anchors: anchors(), crls: [oldCrl] },
      pdfSandbox(),
      new Date(),
    );
    expect(early.crls).toBe(1);
    expect((await verifyPdf(early.bytes, later(), pdfSandbox())).verdict).not.toBe('valid');

    // A CRL issued after the timestamp arrives (one-second resolution); the next flush adds the DSS.
    await new Promise((r) => setTimeout(r, 1100));
    await publishCrl();
    expect(await call('sign.timestamps', {})).toEqual({ stamped: 0, pending: 0 });
    const attachments = (await call('documents.get', { id: doc.id })).attachments;
    const lt = attachments.at(-1);
    expect(lt?.id).not.toBe(btId);
    expect(lt?.name).toBe('note.v1.signed.lt.pdf');
    const ltBytes = await readAll(lt?.id ?? '');
    expect(ltBytes.subarray(0, bt.length).equals(bt)).toBe(true);

    const years = await verifyPdf(ltBytes, later(), pdfSandbox());
    expect(years.verdict).toBe('valid');
    expect(codes(years)).toContain('SIGNATURE_TIMESTAMP');
    const bare = await verifyPdf(bt, later(), pdfSandbox());
    expect(bare.verdict).toBe('indeterminate');
    expect(codes(bare)).toContain('NO_REVOCATION_DATA');
    console.log(
      `B-LT after signing: B-T ${bt.length} B -> B-LT ${ltBytes.length} B; 40 days on without a CRL source: ` +
        `B-LT ${years.verdict}, B-T ${bare.verdict} (${codes(bare).join(',')})`,
    );
  }, 120_000);

  it('a received signed PDF gets its validation data on request, stored beside the original', async () => {
    // "Received": a B-T file signed elsewhere (here, by the same token through sign.files).
    const source = join(dir, 'received.pdf');
    await writeFile(source, await makePdf(2));
    const signed = await call('sign.files', {
      files: [{ path: source, output: join(dir, 'received.signed.pdf') }],
      token: { label: token.label },
      pin: token.pin,
      format: 'pades',
    });
    expect(signed.results[0]).toMatchObject({ ok: true, level: 'B-T' });
    const bytes = await readFile(join(dir, 'received.signed.pdf'));
    await new Promise((r) => setTimeout(r, 1100));
    await publishCrl();

    const doc = await call('documents.add', { subject: 'Received', direction: 'incoming' });
    const original = await call('attachments.add', {
      documentId: doc.id,
      source: { kind: 'bytes', base64: bytes.toString('base64') },
      name: 'received.signed.pdf',
    });
    const added = await call('verify.attachmentValidationData', { documentId: doc.id, id: original.id });
    expect(added.name).toBe('received.signed.lt.pdf');
    expect(added.crls).toBe(1);
    expect(added.certs).toBeGreaterThanOrEqual(4);
    const names = (await call('documents.get', { id: doc.id })).attachments.map((a) => a.name);
    expect(names).toEqual(['received.signed.pdf', 'received.signed.lt.pdf']);
    expect((await readAll(original.id)).equals(bytes)).toBe(true);
    expect((await verifyPdf(await readAll(added.attachmentId), later(), pdfSandbox())).verdict).toBe('valid');
    expect((await verifyPdf(bytes, later(), pdfSandbox())).verdict).not.toBe('valid');

    // Not a PDF, or an attachment of another document: refused, nothing stored.
    const text = await call('attachments.add', {
      documentId: doc.id,
      source: { kind: 'bytes', base64: Buffer.from('hello').toString('base64') },
      name: 'note.txt',
    });
    const refused = await core.dispatch(
      'verify.attachmentValidationData',
      { documentId: doc.id, id: text.id },
      { transport: 'direct' },
    );
    expect(refused.ok ? 'ok' : refused.error.code).toBe('E_SIGN_UNSUPPORTED_FILE');
    const other = await call('documents.add', { subject: 'Other' });
    const wrong = await core.dispatch(
      'verify.attachmentValidationData',
      { documentId: other.id, id: original.id },
      { transport: 'direct' },
    );
    expect(wrong.ok ? 'ok' : wrong.error.code).toBe('E_NOT_FOUND');
    expect((await call('documents.get', { id: doc.id })).attachments).toHaveLength(3);
  }, 120_000);
});
