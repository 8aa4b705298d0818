import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallName } from '../../shared/contract/call-names';
import type { CallOutput } from '../../shared/contract/calls';
import { createCore, type Core } from '../../electron/core';
import { startRelay, type RunningRelay } from '../../hq/server/relay-server';
import { loadTsaSigner } from '../../hq/server/tsa-responder';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import { createTestTsa, type TestTsa } from '../fixtures/tsa';
import { makePdf, nssDbTrusting, pdfsig } from '../fixtures/verifiers';
import { readAttachmentBytes, signJobFinished } from './vault-harness';

/**
 * B-B now, B-T on reconnect, through HQ's TSA: the relay (with `--tsa-key/--tsa-cert`) is down
 * while a vault document is signed, so it is stored B-B and queued in the vault; the core is
 * closed and opened again (the queue survives), the relay comes back on the same address and
 * certificate, and the next flush turns the stored PDF into B-T. `openssl ts -verify` judges
 * the token and pdfsig the PDF; the signed bytes outside /Contents are unchanged.
 */
const SIGNATURE_TIMESTAMP = '1.2.840.113549.1.9.16.2.14';

let token: SoftHsmToken;
let tsa: TestTsa;
let dir: string;
let core: Core;
let relay: RunningRelay | undefined;
let port = 0;

function openCore(): Core {
  return createCore({
    profileDir: join(dir, 'profile'),
    version: 'test',
    signing: { tokenHost: { env: token.env }, trust: { anchorFiles: [token.ca.rootPath, tsa.rootPath] } },
    sync: { background: false },
  });
}

async function call<N extends CallName>(name: N, input: unknown): Promise<CallOutput<N>> {
  const r = await core.dispatch(name, input, { transport: 'direct' });
  if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}`);
  return r.value as CallOutput<N>;
}

const finished = (jobId: string) => signJobFinished(core, jobId);

const readAll = (id: string) => readAttachmentBytes(core, id);

const relayUp = async () => {
  relay = await startRelay({
    dataDir: join(dir, 'relay'),
    host: '127.0.0.1',
    port,
    log: () => undefined,
    tsa: loadTsaSigner(tsa.keyPath, tsa.certPath),
  });
  port = relay.port;
};
const relayDown = async () => {
  await relay?.close();
  relay = undefined;
};

/** The last /Contents CMS's signature value and its signature timestamp token. */
function timestampOf(pdf: Buffer): { value: Buffer; token?: Buffer } {
  const all = [...pdf.toString('latin1').matchAll(/\/Contents\s*<([0-9A-Fa-f]+)>/g)];
  const cms = Buffer.from(all.at(-1)?.[1] ?? '', 'hex');
  const info = new pkijs.ContentInfo({ schema: asn1js.fromBER(new Uint8Array(cms)).result });
  const si = new pkijs.SignedData({ schema: info.content }).signerInfos[0] as pkijs.SignerInfo;
  const v = si.unsignedAttrs?.attributes.find((a) => a.type === SIGNATURE_TIMESTAMP)?.values[0];
  return {
    value: Buffer.from(si.signature.valueBlock.valueHexView),
    ...(v ? { token: Buffer.from(v.toBER(false)) } : {}),
  };
}

beforeAll(async () => {
  token = await createSoftHsmToken({ label: 'Late Stamp', keys: ['rsa'] });
  dir = await mkdtemp(join(tmpdir(), 'embassy-stampq-'));
  tsa = await createTestTsa(dir);
  await relayUp();
  core = openCore();
  await call('vault.create', {
    profile: 'token',
    modulePath: token.modulePath,
    tokenLabel: token.label,
    pin: token.pin,
  });
  await call('settings.update', { tsaUrl: `${relay?.url ?? ''}/v1/tsa`, tsaPin: relay?.fingerprint });
}, 120_000);

afterAll(async () => {
  await core?.close();
  await relayDown();
  await token?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('timestamps queued while HQ is away', () => {
  it('online: signing through the relay TSA gives B-T at once', async () => {
    const doc = await call('documents.add', { subject: 'Online' });
    await call('attachments.add', {
      documentId: doc.id,
      source: { kind: 'bytes', base64: (await makePdf(1)).toString('base64') },
      name: 'online.pdf',
    });
    const done = await finished(
      (await call('sign.documents', { documentIds: [doc.id], token: { label: token.label }, pin: token.pin }))
        .jobId,
    );
    const id = done.results[0]?.attachmentId ?? '';
    const report = await call('verify.attachment', { id });
    expect(report.verdict).toBe('valid');
    expect(report.signatures[0]?.reasons.map((r) => r.code)).toContain('SIGNATURE_TIMESTAMP');
    expect((await call('sign.timestamps', {})).pending).toBe(0);
  }, 120_000);

  it('offline: signed B-B at once, queued; after a restart and reconnect it becomes B-T', async () => {
    await relayDown();
    const doc = await call('documents.add', { subject: 'Công hàm offline' });
    await call('attachments.add', {
      documentId: doc.id,
      source: { kind: 'bytes', base64: (await makePdf(2)).toString('base64') },
      name: 'offline.pdf',
    });
    const t0 = Date.now();
    const done = await finished(
      (await call('sign.documents', { documentIds: [doc.id], token: { label: token.label }, pin: token.pin }))
        .jobId,
    );
    const signedMs = Date.now() - t0;
    expect(done.results[0]?.ok).toBe(true);
    const bbId = done.results[0]?.attachmentId ?? '';
    const bb = await readAll(bbId);
    expect(timestampOf(bb).token).toBeUndefined();
    const bbReport = await call('verify.attachment', { id: bbId });
    expect(bbReport.verdict).toBe('valid');
    expect(bbReport.signatures[0]?.reasons.map((r) => r.code)).not.toContain('SIGNATURE_TIMESTAMP');
    // Still offline: nothing stamped, one waiting.
    expect(await call('sign.timestamps', {})).toEqual({ stamped: 0, pending: 1 });

    // Restart: the queue is in the vault.
    await core.close();
    core = openCore();
    await call('vault.unlock', { pin: token.pin });
    expect(await call('sign.timestamps', {})).toEqual({ stamped: 0, pending: 1 });

    await relayUp();
    const t1 = Date.now();
    expect(await call('sign.timestamps', {})).toEqual({ stamped: 1, pending: 0 });
    const stampMs = Date.now() - t1;
    const detail = await call('documents.get', { id: doc.id });
    const newest = detail.attachments.filter((a) => a.name === 'offline.v1.signed.timestamped.pdf').at(-1);
    expect(newest?.id).not.toBe(bbId);
    const bt = await readAll(newest?.id ?? '');
    const report = await call('verify.attachment', { id: newest?.id ?? '' });
    expect(report.verdict).toBe('valid');
    expect(report.signatures[0]?.reasons.map((r) => r.code)).toContain('SIGNATURE_TIMESTAMP');

    // Same length, same bytes outside the /Contents placeholder: nothing signed was touched.
    expect(bt.length).toBe(bb.length);
    const diff: number[] = [];
    for (let i = 0; i < bb.length; i++) if (bb[i] !== bt[i]) diff.push(i);
    const text = bb.toString('latin1');
    const open = text.lastIndexOf('/Contents <') + '/Contents '.length;
    const close = text.indexOf('>', open);
    expect(diff.every((i) => i > open && i < close)).toBe(true);

    // The independent judges: openssl ts -verify over the signature value, pdfsig over the PDF.
    const stamp = timestampOf(bt);
    expect(stamp.token).toBeDefined();
    const judged = await tsa.verify(
      stamp.token ?? Buffer.alloc(0),
      createHash('sha256').update(stamp.value).digest(),
    );
    expect(judged.ok, judged.output).toBe(true);
    const file = join(dir, 'bt.pdf');
    await writeFile(file, bt);
    const independent = await pdfsig(file, await nssDbTrusting([token.ca.rootPath]));
    expect(independent[0]?.valid).toBe(true);
    expect(independent[0]?.totalDocument).toBe(true);
    console.log(`offline signing ${signedMs} ms; stamping on reconnect ${stampMs} ms`);
  }, 180_000);
});
