import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../electron/cli/embassy';
import { TimestampError, tsaClient } from '../../electron/core/signing/tsa-client';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import { createTestTsa, serveTsa, type TestTsa, type TsaServer } from '../fixtures/tsa';
import { makePdf, nssDbTrusting, opensslCmsVerify, pdfsig } from '../fixtures/verifiers';

/**
 * Signature timestamps (PAdES / CAdES B-T) with a real TSA: `openssl ts -reply` behind a
 * loopback HTTP server, a SoftHSM2 token signing through `embassy sign --tsa`, `openssl ts
 * -verify` as the independent judge of every token, and the timestamp as proof of time in
 * `embassy verify` (a signer revoked after the timestamp stays valid; without it, no).
 */

const SIGNATURE_TIMESTAMP = '1.2.840.113549.1.9.16.2.14';

/** The first SignerInfo's signature value and signature timestamp token of a CMS (DER, trailing zeros allowed). */
function timestampOf(cms: Uint8Array): { signatureValue: Buffer; token?: Buffer } {
  const info = new pkijs.ContentInfo({ schema: asn1js.fromBER(new Uint8Array(cms)).result });
  const si = new pkijs.SignedData({ schema: info.content }).signerInfos[0] as pkijs.SignerInfo;
  const value = si.unsignedAttrs?.attributes.find((a) => a.type === SIGNATURE_TIMESTAMP)?.values[0] as
    asn1js.Sequence | undefined;
  return {
    signatureValue: Buffer.from(si.signature.valueBlock.valueHexView),
    ...(value ? { token: Buffer.from(value.toBER(false)) } : {}),
  };
}

function pdfCms(pdf: Buffer): Buffer {
  const all = [...pdf.toString('latin1').matchAll(/\/Contents\s*<([0-9A-Fa-f]+)>/g)];
  return Buffer.from(all[all.length - 1]?.[1] ?? '', 'hex');
}

describe('signature timestamps (B-T) with a TSA on loopback', () => {
  let token: SoftHsmToken;
  let tsa: TestTsa;
  let server: TsaServer;
  let dir: string;
  const saved = process.env.SOFTHSM2_CONF;

  beforeAll(async () => {
    token = await createSoftHsmToken({ keys: ['ec'] });
    process.env.SOFTHSM2_CONF = token.confPath;
    dir = await mkdtemp(join(tmpdir(), 'embassy-bt-'));
    tsa = await createTestTsa(dir);
    server = await serveTsa(tsa);
    await writeFile(join(dir, 'in.pdf'), await makePdf(1));
    await writeFile(join(dir, 'note.txt'), 'Công hàm số 13');
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    if (saved === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = saved;
    await token?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function capture(stdin = ''): { io: CliIo; out: () => string } {
    const out: string[] = [];
    return {
      io: { stdout: (t) => out.push(t), stderr: () => undefined, readStdin: async () => Buffer.from(stdin) },
      out: () => out.join(''),
    };
  }
  const profile = () => ['--profile', join(dir, 'profile')];

  async function sign(
    input: string,
    output: string,
    tsaUrl?: string,
  ): Promise<{ ok: boolean; level?: string }> {
    const c = capture(token.pin);
    const args = ['sign', input, '--out', output, '--module', token.modulePath, '--token', token.label];
    const more = ['--key-id', '03', '--pin-stdin', '--trust', token.ca.rootPath, '--json'];
    await runCli([...args, ...more, ...(tsaUrl ? ['--tsa', tsaUrl] : []), ...profile()], c.io);
    return (
      (JSON.parse(c.out()) as { results: { ok: boolean; level?: string }[] }).results[0] ?? { ok: false }
    );
  }

  async function verify(
    args: string[],
    crls: string[] = [],
  ): Promise<{ exit: number; verdict: string; codes: string[] }> {
    const c = capture();
    const trust = [
      '--trust',
      token.ca.rootPath,
      '--trust',
      tsa.rootPath,
      ...crls.flatMap((x) => ['--crl', x]),
    ];
    const exit = await runCli(['verify', ...args, ...trust, '--json', ...profile()], c.io);
    const json = JSON.parse(c.out()) as { verdict: string; signatures: { reasons: { code: string }[] }[] };
    return { exit, verdict: json.verdict, codes: json.signatures[0]?.reasons.map((r) => r.code) ?? [] };
  }

  it('embassy sign --tsa: PDF and .p7s are B-T, and openssl ts -verify accepts both tokens', async () => {
    const before = server.requests();
    const pdf = await sign(join(dir, 'in.pdf'), join(dir, 'bt.pdf'), server.url);
    const p7s = await sign(join(dir, 'note.txt'), join(dir, 'note.txt.p7s'), server.url);
    expect([pdf, p7s]).toEqual([
      { input: join(dir, 'in.pdf'), output: join(dir, 'bt.pdf'), ok: true, level: 'B-T' },
      { input: join(dir, 'note.txt'), output: join(dir, 'note.txt.p7s'), ok: true, level: 'B-T' },
    ]);
    expect(server.requests() - before).toBe(2);
    for (const cms of [
      pdfCms(await readFile(join(dir, 'bt.pdf'))),
      await readFile(join(dir, 'note.txt.p7s')),
    ]) {
      const { signatureValue, token: tst } = timestampOf(cms);
      expect(tst).toBeDefined();
      const digest = createHash('sha256').update(signatureValue).digest();
      const checked = await tsa.verify(tst ?? Buffer.alloc(0), digest);
      expect(checked.output).toMatch(/Verification: OK/);
      // The same token does not verify for another signature value.
      const other = await tsa.verify(tst ?? Buffer.alloc(0), createHash('sha256').update('x').digest());
      expect(other.ok).toBe(false);
    }
    const v = await verify([join(dir, 'bt.pdf')]);
    expect([v.verdict, v.exit]).toEqual(['valid', 0]);
    expect(v.codes).toContain('SIGNATURE_TIMESTAMP');
    // Another implementation still accepts the B-T signature: poppler's pdfsig (NSS) and openssl cms.
    const nss = await nssDbTrusting([token.ca.rootPath]);
    try {
      expect(await pdfsig(join(dir, 'bt.pdf'), nss)).toMatchObject([
        { valid: true, trusted: true, totalDocument: true },
      ]);
    } finally {
      await rm(nss, { recursive: true, force: true });
    }
    const o = await opensslCmsVerify(join(dir, 'note.txt.p7s'), join(dir, 'note.txt'), token.ca.rootPath);
    expect(o.ok).toBe(true);
  });

  it('the TSA in the workstation settings timestamps signatures that name none', async () => {
    const other = join(dir, 'profile-with-tsa');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(other, { recursive: true });
    await writeFile(join(other, 'settings.json'), JSON.stringify({ language: 'vi', tsaUrl: server.url }));
    const c = capture(token.pin);
    const args = [
      'sign',
      join(dir, 'in.pdf'),
      '--out',
      join(dir, 'settings-bt.pdf'),
      '--module',
      token.modulePath,
    ];
    const more = [
      '--token',
      token.label,
      '--key-id',
      '03',
      '--pin-stdin',
      '--trust',
      token.ca.rootPath,
      '--json',
    ];
    await runCli([...args, ...more, '--profile', other], c.io);
    expect(JSON.parse(c.out())).toMatchObject({ results: [{ ok: true, level: 'B-T' }] });
  });

  it('TSA unreachable or failing: signed B-B at once, still valid', async () => {
    server.mode('http-500');
    try {
      const r = await sign(join(dir, 'in.pdf'), join(dir, 'bb-500.pdf'), server.url);
      expect(r).toMatchObject({ ok: true, level: 'B-B' });
    } finally {
      server.mode('normal');
    }
    const closed = await sign(join(dir, 'in.pdf'), join(dir, 'bb-closed.pdf'), 'http://127.0.0.1:9/tsa');
    expect(closed).toMatchObject({ ok: true, level: 'B-B' });
    expect(timestampOf(pdfCms(await readFile(join(dir, 'bb-closed.pdf')))).token).toBeUndefined();
    expect((await verify([join(dir, 'bb-closed.pdf')])).verdict).toBe('valid');
  });

  it('attack: a replayed TSA response (another request’s nonce and digest) is refused by the client', async () => {
    const client = tsaClient({ url: server.url });
    await client(createHash('sha256').update('first').digest());
    server.mode('replay');
    try {
      await expect(client(createHash('sha256').update('second').digest())).rejects.toBeInstanceOf(
        TimestampError,
      );
    } finally {
      server.mode('normal');
    }
  });

  it('proof of time: revoked after the timestamp stays valid; B-B revoked after signing is REVOKED_NO_POE; a foreign token proves nothing', async () => {
    const bt = await sign(join(dir, 'note.txt'), join(dir, 'r-bt.p7s'), server.url);
    const bb = await sign(join(dir, 'note.txt'), join(dir, 'r-bb.p7s'));
    expect([bt.level, bb.level]).toEqual(['B-T', 'B-B']);
    // An attacker moves a genuine token from another signature onto the B-B one.
    const foreign = timestampOf(await readFile(join(dir, 'note.txt.p7s'))).token as Buffer;
    const bbCms = await readFile(join(dir, 'r-bb.p7s'));
    const info = new pkijs.ContentInfo({ schema: asn1js.fromBER(new Uint8Array(bbCms)).result });
    const sd = new pkijs.SignedData({ schema: info.content });
    (sd.signerInfos[0] as pkijs.SignerInfo).unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
      type: 1,
      attributes: [
        new pkijs.Attribute({ type: SIGNATURE_TIMESTAMP, values: [asn1js.fromBER(foreign).result] }),
      ],
    });
    const grafted = new pkijs.ContentInfo({ contentType: info.contentType, content: sd.toSchema(true) });
    await writeFile(join(dir, 'r-grafted.p7s'), Buffer.from(grafted.toSchema().toBER(false)));

    await new Promise((r) => setTimeout(r, 1100));
    const crl = join(dir, 'revoked.crl.pem');
    await writeFile(crl, await token.ca.crl([token.keys.ec?.certPem as string]));
    const content = ['--content', join(dir, 'note.txt')];
    const withProof = await verify([join(dir, 'r-bt.p7s'), ...content], [crl]);
    expect([withProof.verdict, withProof.exit]).toEqual(['valid', 0]);
    expect(withProof.codes).toContain('SIGNATURE_TIMESTAMP');
    const without = await verify([join(dir, 'r-bb.p7s'), ...content], [crl]);
    expect([without.verdict, without.codes]).toEqual(['indeterminate', ['REVOKED_NO_POE']]);
    const graftedResult = await verify([join(dir, 'r-grafted.p7s'), ...content], [crl]);
    expect(graftedResult.verdict).toBe('indeterminate');
    expect(graftedResult.codes).toEqual(['SIGNATURE_TIMESTAMP_NOT_TRUSTED', 'REVOKED_NO_POE']);
  });
});
