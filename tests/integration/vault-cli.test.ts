import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import { PASSPHRASE, pdfWithText } from './vault-harness';

/** The built `embassy` tool (npm test builds first) driving the vault: the same core as the app. */
const CLI = join(process.cwd(), 'dist', 'node', 'embassy.cjs');

function embassy(args: string[], stdin = '', env: NodeJS.ProcessEnv = process.env) {
  if (!existsSync(CLI)) throw new Error('dist/node/embassy.cjs missing: run npm run build first');
  return spawnSync(process.execPath, [CLI, ...args], {
    input: stdin,
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });
}

let token: SoftHsmToken;
beforeAll(async () => {
  token = await createSoftHsmToken({ keys: ['rsa'], label: 'cli-officer' });
}, 60_000);
afterAll(async () => {
  await token.cleanup();
});

describe('embassy vault (built CLI)', () => {
  it('passphrase profile: init, add with a PDF, search --json, wrong passphrase, wipe', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'embassy-cli-vault-'));
    expect(
      embassy(['vault', 'init', '--profile', profile, '--passphrase', '--pin-stdin'], `${PASSPHRASE}\n`)
        .status,
    ).toBe(0);
    const pdf = join(mkdtempSync(join(tmpdir(), 'embassy-cli-pdf-')), 'treaty.pdf');
    writeFileSync(pdf, await pdfWithText(['Treaty on extradition', 'Signed at Canberra']));
    const added = embassy(
      [
        'vault',
        'add',
        '--profile',
        profile,
        '--pin-stdin',
        '--title',
        'Hiệp định dẫn độ',
        '--classification',
        'confidential',
        '--body',
        'Bản ký chính thức',
        '--attach',
        pdf,
        '--json',
      ],
      PASSPHRASE,
    );
    expect(added.status, added.stderr).toBe(0);
    const doc = JSON.parse(added.stdout) as { id: string; classification: string; attachments: unknown[] };
    expect(doc).toMatchObject({ classification: 'confidential' });
    expect(doc.attachments).toHaveLength(1);

    const viet = embassy(
      ['vault', 'search', '--profile', profile, '--pin-stdin', 'hiep dinh dan do', '--json'],
      PASSPHRASE,
    );
    expect(viet.status, viet.stderr).toBe(0);
    expect(JSON.parse(viet.stdout)).toEqual([
      expect.objectContaining({
        id: doc.id,
        title: 'Hiệp định dẫn độ',
        snippet: expect.stringContaining('«Hiệp»'),
      }),
    ]);
    const inPdf = JSON.parse(
      embassy(['vault', 'search', '--profile', profile, '--pin-stdin', 'extradit', '--json'], PASSPHRASE)
        .stdout,
    ) as { kind: string }[];
    expect(inPdf.map((h) => h.kind)).toContain('attachment');

    const wrong = embassy(
      ['vault', 'search', '--profile', profile, '--pin-stdin', 'x'],
      'not the passphrase',
    );
    expect(wrong.status).toBe(1);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toContain('E_WRONG_SECRET');

    expect(embassy(['vault', 'wipe', '--profile', profile]).status).toBe(2);
    const wiped = embassy(['vault', 'wipe', '--profile', profile, '--yes']);
    expect(wiped.status).toBe(0);
    expect(readdirSync(join(profile, 'vault'))).toEqual([]);
  }, 60_000);

  it('token profile: init with the SoftHSM token, add and search with its PIN, wrong PIN is one line', () => {
    const profile = mkdtempSync(join(tmpdir(), 'embassy-cli-token-'));
    const init = embassy(
      [
        'vault',
        'init',
        '--profile',
        profile,
        '--module',
        token.modulePath,
        '--token',
        token.label,
        '--pin-stdin',
      ],
      token.pin,
      token.env,
    );
    expect(init.status, init.stderr).toBe(0);
    const added = embassy(
      ['vault', 'add', '--profile', profile, '--pin-stdin', '--title', 'Công hàm số 12'],
      token.pin,
      token.env,
    );
    expect(added.status, added.stderr).toBe(0);
    const id = added.stdout.trim();
    const found = JSON.parse(
      embassy(
        ['vault', 'search', '--profile', profile, '--pin-stdin', 'cong ham', '--json'],
        token.pin,
        token.env,
      ).stdout,
    ) as { id: string }[];
    expect(found.map((h) => h.id)).toEqual([id]);
    const wrong = embassy(['vault', 'search', '--profile', profile, '--pin-stdin', 'x'], '999999', token.env);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toContain('E_WRONG_SECRET');
  }, 60_000);
});
