import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../electron/cli/embassy';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import { makePdf, nssDbTrusting, pdfsig } from '../fixtures/verifiers';

/** `embassy sign` and `embassy verify` with a real SoftHSM2 token: in process, and through the built bundle. */
describe('embassy sign / verify', () => {
  let token: SoftHsmToken;
  let dir: string;
  let pdf: string;
  const saved = process.env.SOFTHSM2_CONF;

  beforeAll(async () => {
    token = await createSoftHsmToken({ keys: ['rsa', 'ec'] });
    // The CLI's token process inherits the environment, as it would on an officer's machine.
    process.env.SOFTHSM2_CONF = token.confPath;
    dir = await mkdtemp(join(tmpdir(), 'embassy-cli-'));
    pdf = join(dir, 'in.pdf');
    await writeFile(pdf, await makePdf(1));
  }, 60_000);
  afterAll(async () => {
    if (saved === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = saved;
    await token?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function io(stdin = '') {
    const out: string[] = [];
    const err: string[] = [];
    const value: CliIo = {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      readStdin: async () => Buffer.from(stdin),
    };
    return { io: value, out: () => out.join(''), err: () => err.join('') };
  }
  const profile = () => ['--profile', join(dir, 'profile')];

  it('signs a PDF (PAdES by default) and a file as CAdES; verify --json says valid and exits 0', async () => {
    const out = join(dir, 'out.pdf');
    const s = io(token.pin);
    const code = await runCli(
      [
        'sign',
        pdf,
        '--out',
        out,
        '--module',
        token.modulePath,
        '--token',
        token.label,
        '--key-id',
        '03',
        '--pin-stdin',
        '--reason',
        'Duyệt',
        '--location',
        'Hà Nội',
        '--trust',
        token.ca.rootPath,
        ...profile(),
      ],
      s.io,
    );
    expect(s.err()).toBe('');
    expect(code).toBe(0);
    const v = io();
    expect(await runCli(['verify', out, '--trust', token.ca.rootPath, '--json', ...profile()], v.io)).toBe(0);
    const report = JSON.parse(v.out()) as {
      verdict: string;
      signatures: { signer: string; verdict: string; reasons: unknown[]; signingTime: string }[];
    };
    expect(report.verdict).toBe('valid');
    expect(report.signatures).toHaveLength(1);
    expect(report.signatures[0]).toMatchObject({ signer: 'Test Officer EC', verdict: 'valid', reasons: [] });

    const txt = join(dir, 'letter.txt');
    await writeFile(txt, 'Kính gửi Bộ Ngoại giao');
    const c = io(token.pin);
    expect(
      await runCli(
        [
          'sign',
          txt,
          '--out',
          `${txt}.p7s`,
          '--format',
          'cades',
          '--module',
          token.modulePath,
          '--token',
          token.label,
          '--pin-stdin',
          '--trust',
          token.ca.rootPath,
          ...profile(),
        ],
        c.io,
      ),
    ).toBe(0);
    const cv = io();
    expect(
      await runCli(
        ['verify', `${txt}.p7s`, '--content', txt, '--trust', token.ca.rootPath, '--json', ...profile()],
        cv.io,
      ),
    ).toBe(0);
    // Tampered content: invalid, exit 1. Unknown root: indeterminate, exit 2.
    await writeFile(join(dir, 'letter-2.txt'), 'Kính gửi Bộ Ngoại giao!');
    const bad = io();
    expect(
      await runCli(
        [
          'verify',
          `${txt}.p7s`,
          '--content',
          join(dir, 'letter-2.txt'),
          '--trust',
          token.ca.rootPath,
          '--json',
          ...profile(),
        ],
        bad.io,
      ),
    ).toBe(1);
    expect(JSON.parse(bad.out())).toMatchObject({ verdict: 'invalid' });
    const unknown = io();
    expect(await runCli(['verify', out, '--json', ...profile()], unknown.io)).toBe(2);
    expect(JSON.parse(unknown.out()).signatures[0].reasons[0].code).toBe('NO_CERTIFICATE_CHAIN_FOUND');
    const missing = io();
    expect(await runCli(['verify', join(dir, 'nope.pdf'), '--json', ...profile()], missing.io)).toBe(3);
  });

  it("verify --crl: a signer its CA's CRL revokes after it signed is indeterminate (REVOKED_NO_POE: no timestamp proves the signature came first); another CA's CRL proves nothing", async () => {
    const file = join(dir, 'note.txt');
    await writeFile(file, 'Công hàm số 12');
    const sign = io(token.pin);
    const signArgs = [
      'sign',
      file,
      '--out',
      `${file}.p7s`,
      '--format',
      'cades',
      '--module',
      token.modulePath,
    ];
    const signed = await runCli(
      [...signArgs, '--token', token.label, '--key-id', '03', '--pin-stdin', '--trust', token.ca.rootPath, ...profile()],
      sign.io,
    ); // prettier-ignore
    expect(signed).toBe(0);
    const signer = token.keys.ec?.certPem as string;
    const verify = async (crl: string) => {
      const crlPath = join(dir, `crl-${Math.random().toString(36).slice(2)}.pem`);
      await writeFile(crlPath, crl);
      const v = io();
      const args = [
        'verify',
        `${file}.p7s`,
        '--content',
        file,
        '--trust',
        token.ca.rootPath,
        '--crl',
        crlPath,
      ];
      const exit = await runCli([...args, '--json', ...profile()], v.io);
      return {
        exit,
        out: JSON.parse(v.out()) as { verdict: string; signatures: { reasons: { code: string }[] }[] },
      };
    };
    // The issuing CA's CRL (openssl ca -gencrl) listing another certificate: valid.
    const unrelated = await verify(await token.ca.crl([token.keys.rsa?.certPem as string]));
    expect([unrelated.exit, unrelated.out.verdict]).toEqual([0, 'valid']);
    // Listing the signer, revoked after the claimed signing time: indeterminate, exit 2. (A
    // claimed time is no proof: before issue 13 this was judged at the claimed time.)
    await new Promise((r) => setTimeout(r, 1100));
    const revoked = await verify(await token.ca.crl([signer]));
    expect([revoked.exit, revoked.out.verdict]).toEqual([2, 'indeterminate']);
    expect(revoked.out.signatures[0]?.reasons.map((r) => r.code)).toContain('REVOKED_NO_POE');
    // The same serial in a CRL signed by another CA: ignored, valid.
    const stranger = await createSoftHsmToken({ keys: ['ec'] });
    try {
      const foreign = await verify(await stranger.ca.crl([signer]));
      expect([foreign.exit, foreign.out.verdict]).toEqual([0, 'valid']);
    } finally {
      await stranger.cleanup();
    }
  });

  it('a wrong PIN: non-zero exit, one line naming the reason, the PIN never printed', async () => {
    const s = io('000000');
    const code = await runCli(
      [
        'sign',
        pdf,
        '--out',
        join(dir, 'x.pdf'),
        '--module',
        token.modulePath,
        '--token',
        token.label,
        '--pin-stdin',
        '--trust',
        token.ca.rootPath,
        ...profile(),
      ],
      s.io,
    );
    expect(code).toBe(1);
    expect(s.err().trim().split('\n')).toHaveLength(1);
    expect(s.err()).toContain('E_TOKEN_PIN_INCORRECT');
    expect(s.err() + s.out()).not.toContain('000000');
    expect(existsSync(join(dir, 'x.pdf'))).toBe(false);
  });

  it('refuses a PIN on the command line: only --pin-stdin', async () => {
    const s = io();
    expect(
      await runCli(['sign', pdf, '--out', join(dir, 'y.pdf'), '--token', token.label, '--pin', '1234'], s.io),
    ).toBe(2);
    const t = io();
    expect(await runCli(['sign', pdf, '--out', join(dir, 'y.pdf'), '--token', token.label], t.io)).toBe(2);
    expect(t.err()).toContain('--pin-stdin');
  });

  it('the built bundle: sign --batch with one PIN, pdfsig and verify agree', async () => {
    const cli = join(process.cwd(), 'dist', 'node', 'embassy.cjs');
    if (!existsSync(cli) || !existsSync(join(process.cwd(), 'dist', 'token', 'token-host.cjs'))) {
      throw new Error('dist missing: run npm run build first');
    }
    const inputs = [join(dir, 'b1.pdf'), join(dir, 'b2.pdf')];
    for (const p of inputs) await writeFile(p, await readFile(pdf));
    const outDir = await mkdtemp(join(dir, 'batch-'));
    const env = { ...process.env, SOFTHSM2_CONF: token.confPath };
    const signed = spawnSync(
      process.execPath,
      [
        cli,
        'sign',
        '--batch',
        ...inputs,
        '--out-dir',
        outDir,
        '--module',
        token.modulePath,
        '--token',
        token.label,
        '--key-id',
        '01',
        '--pin-stdin',
        '--trust',
        token.ca.rootPath,
        ...profile(),
      ],
      { input: `${token.pin}\n`, env, encoding: 'utf8' },
    );
    expect(signed.stderr).toBe('');
    expect(signed.status).toBe(0);
    const nss = await nssDbTrusting([token.ca.rootPath]);
    try {
      for (const name of ['b1.pdf', 'b2.pdf']) {
        const [sig] = await pdfsig(join(outDir, name), nss);
        expect(sig).toMatchObject({ valid: true, trusted: true });
        const v = spawnSync(
          process.execPath,
          [cli, 'verify', join(outDir, name), '--trust', token.ca.rootPath, '--json', ...profile()],
          { env, encoding: 'utf8' },
        );
        expect(v.status).toBe(0);
        expect(JSON.parse(v.stdout)).toMatchObject({ verdict: 'valid' });
      }
    } finally {
      await rm(nss, { recursive: true, force: true });
    }
  });
});
