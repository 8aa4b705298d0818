import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/embassy';
import { makeItKeys, policyPayload, signWith } from '../fixtures/it-keys';

/** IT's workflow through `embassy it …`: three holders, a 2-of-3 root, a policy signed in turn. */
describe('embassy it keygen / root / sign / verify', () => {
  let dir: string;
  const p = (name: string) => join(dir, name);
  async function run(args: string[]) {
    let out = '';
    let err = '';
    const code = await runCli(args, {
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
      readStdin: async () => Buffer.alloc(0),
    });
    return { code, out, err };
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'embassy-it-'));
    for (const k of ['a', 'b', 'c']) expect((await run(['it', 'keygen', p(`${k}.key`)])).code).toBe(0);
    const root = await run([
      'it',
      'root',
      p('root.json'),
      '--pub',
      p('a.key.pub'),
      '--pub',
      p('b.key.pub'),
      '--pub',
      p('c.key.pub'),
      '--threshold',
      '2',
    ]);
    expect(root.code).toBe(0);
    for (const k of ['a', 'c'])
      expect((await run(['it', 'sign', p('root.json'), '--key', p(`${k}.key`)])).code).toBe(0);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes the secret key owner-only, once, and never inside a git work tree', async () => {
    expect((await stat(p('a.key'))).mode & 0o777).toBe(0o600);
    expect(await readFile(p('a.key.pub'), 'utf8')).not.toContain('secret');
    const again = await run(['it', 'keygen', p('a.key')]);
    expect(again.code).not.toBe(0);
    const inRepo = await run(['it', 'keygen', join(process.cwd(), 'tests', 'leaked.key')]);
    expect(inRepo.code).toBe(2);
    expect(inRepo.err).toContain('git work tree');
  });

  it('verifies a policy signed by two holders in turn; one signature is refused with E_IT_THRESHOLD', async () => {
    await writeFile(p('policy.json'), JSON.stringify(policyPayload(1)));
    expect(
      (await run(['it', 'sign', p('policy.json'), '--key', p('b.key'), '--out', p('policy-1sig.json')])).code,
    ).toBe(0);
    const short = await run(['it', 'verify', p('policy-1sig.json'), '--root', p('root.json'), '--json']);
    expect(short.code).toBe(1);
    expect(JSON.parse(short.out)).toMatchObject({ ok: false, error: { code: 'E_IT_THRESHOLD' } });
    // The second holder signs the file the first passed on: the signatures merge.
    expect(
      (await run(['it', 'sign', p('policy-1sig.json'), '--key', p('c.key'), '--out', p('policy-2sig.json')]))
        .code,
    ).toBe(0);
    const ok = await run(['it', 'verify', p('policy-2sig.json'), '--root', p('root.json'), '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({
      ok: true,
      type: 'embassy.it.policy',
      version: 1,
      validSignatures: 2,
      threshold: 2,
    });
    // Signing twice with one key does not count twice.
    expect((await run(['it', 'sign', p('policy-1sig.json'), '--key', p('b.key')])).code).toBe(0);
    expect((await run(['it', 'verify', p('policy-1sig.json'), '--root', p('root.json')])).code).toBe(1);
    // An edit after signing.
    const doc = JSON.parse(await readFile(p('policy-2sig.json'), 'utf8'));
    doc.signed.idleLockMinutes = 480;
    await writeFile(p('policy-edited.json'), JSON.stringify(doc));
    const edited = await run(['it', 'verify', p('policy-edited.json'), '--root', p('root.json'), '--json']);
    expect(JSON.parse(edited.out).error.code).toBe('E_IT_BAD_SIGNATURE');
  });

  it('verifies the root itself (anchored to a given root, or only self-signed) and a rotation', async () => {
    const self = await run(['it', 'verify', p('root.json'), '--root', p('root.json'), '--json']);
    expect(JSON.parse(self.out)).toMatchObject({ ok: true, version: 1, anchored: true });
    for (const k of ['d', 'e']) expect((await run(['it', 'keygen', p(`${k}.key`)])).code).toBe(0);
    await run([
      'it',
      'root',
      p('root2.json'),
      '--pub',
      p('d.key.pub'),
      '--pub',
      p('e.key.pub'),
      '--threshold',
      '2',
      '--version',
      '2',
    ]);
    for (const k of ['d', 'e']) await run(['it', 'sign', p('root2.json'), '--key', p(`${k}.key`)]);
    const newOnly = await run(['it', 'verify', p('root2.json'), '--root', p('root.json'), '--json']);
    expect(JSON.parse(newOnly.out).error.code).toBe('E_IT_UNKNOWN_ROOT');
    for (const k of ['a', 'b']) await run(['it', 'sign', p('root2.json'), '--key', p(`${k}.key`)]);
    const rotated = await run(['it', 'verify', p('root2.json'), '--root', p('root.json'), '--json']);
    expect(JSON.parse(rotated.out)).toMatchObject({ ok: true, version: 2, rootVersion: 2 });
  });
});

describe('embassy policy import / show', () => {
  it('refuses a policy this build does not trust, exit 1 with the reason, and shows no policy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'embassy-policy-cli-'));
    const io = () => {
      const out: string[] = [];
      const err: string[] = [];
      return {
        io: {
          stdout: (t: string) => out.push(t),
          stderr: (t: string) => err.push(t),
          readStdin: async () => Buffer.alloc(0),
        },
        out: () => out.join(''),
        err: () => err.join(''),
      };
    };
    try {
      const keys = await makeItKeys(2);
      const file = join(dir, 'policy.json');
      await writeFile(file, JSON.stringify(await signWith(policyPayload(1), keys)));
      const profile = ['--profile', join(dir, 'profile')];
      const imported = io();
      expect(await runCli(['policy', 'import', file, '--json', ...profile], imported.io)).toBe(1);
      // No root in this checkout (E_IT_NO_ROOT), or IT's real one, which never signed this.
      expect(JSON.parse(imported.out()).error.code).toMatch(/^E_IT_(NO_ROOT|UNKNOWN_ROOT)$/);
      expect(imported.err()).toMatch(/^embassy: E_IT_/);
      const shown = io();
      expect(await runCli(['policy', 'show', '--json', ...profile], shown.io)).toBe(0);
      expect(JSON.parse(shown.out())).toMatchObject({ state: 'none', policy: null });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
