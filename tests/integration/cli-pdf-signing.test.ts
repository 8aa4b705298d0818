import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../electron/cli/embassy';
import { basePdf } from '../fixtures/attack-pdfs';
import { appendUpdate, streamBody } from '../fixtures/pdf-updates';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';

/**
 * The PDF options of `embassy sign` (`--certify N`, `--field NAME`) and
 * `embassy verify --extract-signed-revision N OUT`, with a SoftHSM2 token, in process.
 */
describe('embassy sign --certify / --field, verify --extract-signed-revision', () => {
  let token: SoftHsmToken;
  let dir: string;
  const saved = process.env.SOFTHSM2_CONF;

  beforeAll(async () => {
    token = await createSoftHsmToken({ keys: ['ec'] });
    process.env.SOFTHSM2_CONF = token.confPath;
    dir = await mkdtemp(join(tmpdir(), 'embassy-cli-pdf-'));
    await writeFile(join(dir, 'note.pdf'), basePdf());
  }, 60_000);
  afterAll(async () => {
    if (saved === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = saved;
    await token?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const cli = async (args: string[], stdin = '') => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      readStdin: async () => Buffer.from(stdin),
    };
    const code = await runCli([...args, '--profile', join(dir, 'profile')], io);
    return { code, out: out.join(''), err: err.join('') };
  };
  const sign = (input: string, output: string, extra: string[] = []) =>
    cli(
      [
        'sign',
        input,
        '--out',
        output,
        '--module',
        token.modulePath,
        '--token',
        token.label,
        '--pin-stdin',
      ].concat(['--trust', token.ca.rootPath], extra),
      token.pin,
    );
  const verify = (file: string, extra: string[] = []) =>
    cli(['verify', file, '--trust', token.ca.rootPath, '--json', ...extra]);

  it('--certify 2: a certification signature; a changed file is invalid with the page named, and its signed version extracts and verifies', async () => {
    const certified = join(dir, 'certified.pdf');
    const s = await sign(join(dir, 'note.pdf'), certified, ['--certify', '2']);
    expect(s.err).toBe('');
    expect(s.code).toBe(0);
    const ok = await verify(certified);
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.out) as {
      verdict: string;
      signatures: { certification?: { permission: number }; signedRevision?: { length: number } }[];
    };
    expect(report.signatures[0]?.certification).toEqual({ permission: 2 });

    const original = await readFile(certified);
    const changed = join(dir, 'changed.pdf');
    await writeFile(
      changed,
      appendUpdate(original, [
        { num: 4, body: streamBody('BT /F1 14 Tf 50 780 Td (PAY 1000000 USD) Tj ET') },
      ]),
    );
    const bad = await verify(changed);
    expect(bad.code).toBe(1);
    const badReport = JSON.parse(bad.out) as {
      verdict: string;
      signatures: { reasons: { code: string; pages?: number[]; vi: string }[] }[];
    };
    expect(badReport.verdict).toBe('invalid');
    const modified = badReport.signatures[0]?.reasons.find((r) => r.code === 'MODIFIED_CONTENT');
    expect(modified?.pages).toEqual([1]);

    const extracted = join(dir, 'signed-version.pdf');
    const x = await cli([
      'verify',
      changed,
      '--trust',
      token.ca.rootPath,
      '--extract-signed-revision',
      '1',
      extracted,
    ]);
    expect(x.code).toBe(1); // the exit code is still the file's verdict
    expect(x.out).toContain(`signature 1: signed version (${original.length} bytes)`);
    expect((await readFile(extracted)).equals(original)).toBe(true);
    expect((await verify(extracted)).code).toBe(0);
    // No such signature: nothing written, an error exit.
    const none = await cli([
      'verify',
      changed,
      '--trust',
      token.ca.rootPath,
      '--extract-signed-revision',
      '2',
      join(dir, 'x.pdf'),
    ]);
    expect(none.code).toBe(3);

    // Certified with no changes allowed: our signer refuses to add another signature.
    const p1 = join(dir, 'p1.pdf');
    expect((await sign(join(dir, 'note.pdf'), p1, ['--certify', '1'])).code).toBe(0);
    const refused = await sign(p1, join(dir, 'p1-again.pdf'));
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('E_SIGN_CERTIFIED_NO_CHANGES');
    // A certification must be the first signature.
    const late = await sign(certified, join(dir, 'late.pdf'), ['--certify', '3']);
    expect(late.err).toContain('E_SIGN_CERTIFY_NOT_FIRST');
  });

  it('--field NAME signs the placed field; an unknown name is refused; bad --certify is a usage error', async () => {
    const form = join(dir, 'form.pdf');
    await writeFile(
      form,
      appendUpdate(basePdf(), [
        {
          num: 20,
          body: '<< /Type /Annot /Subtype /Widget /FT /Sig /T (Head of Mission) /Rect [300 100 520 160] /F 4 /P 3 0 R >>',
        },
        {
          num: 10,
          body: '<< /Fields [11 0 R 20 0 R] /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv 5 0 R >> >> >>',
        },
        {
          num: 3,
          body:
            '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [4 0 R 7 0 R] /Annots [11 0 R 20 0 R] ' +
            '/Resources << /Font << /F1 5 0 R >> /XObject << /Stamp 8 0 R >> >> >>',
        },
      ]),
    );
    const out = join(dir, 'form-signed.pdf');
    expect((await sign(form, out, ['--field', 'Head of Mission'])).code).toBe(0);
    const v = await verify(out);
    expect(v.code).toBe(0);
    expect(
      (JSON.parse(v.out) as { signatures: { fieldName?: string }[] }).signatures.map((s) => s.fieldName),
    ).toEqual(['Head of Mission']);
    const missing = await sign(form, join(dir, 'missing.pdf'), ['--field', 'Consul']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('E_SIGN_FIELD_NOT_FOUND');
    expect((await sign(form, join(dir, 'bad.pdf'), ['--certify', '4'])).code).toBe(2);
  });
});
