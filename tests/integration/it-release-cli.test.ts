import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/embassy';
import { itSodium, parseItDocument, trustPinnedRoot } from '../../electron/core/it-signing';
import { startRelay, type RunningRelay } from '../../hq/server/relay-server';
import { artifactBytes, debName, latestYml, workstation } from '../fixtures/update-harness';

/**
 * IT's release workflow end to end: electron-builder's output folder → `embassy it release` →
 * two holders `embassy it sign` → `embassy it verify` → the folder served by `embassy hq serve
 * --updates` (here the relay with `updatesDir`) → a workstation checks, downloads, installs.
 */
describe('embassy it release', () => {
  let dir: string;
  let relay: RunningRelay;
  const p = (name: string) => join(dir, name);
  const out = () => p('dist');
  async function run(args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      readStdin: async () => Buffer.alloc(0),
    });
    return { code, stdout, stderr };
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'embassy-release-'));
    for (const k of ['a', 'b', 'c']) expect((await run(['it', 'keygen', p(`${k}.key`)])).code).toBe(0);
    const pubs = ['a', 'b', 'c'].flatMap((k) => ['--pub', p(`${k}.key.pub`)]);
    expect((await run(['it', 'root', p('root.json'), ...pubs, '--threshold', '2'])).code).toBe(0);
    for (const k of ['a', 'b'])
      expect((await run(['it', 'sign', p('root.json'), '--key', p(`${k}.key`)])).code).toBe(0);
    await mkdir(out(), { recursive: true });
    const bytes = artifactBytes('2.0.0');
    await writeFile(join(out(), debName('2.0.0')), bytes);
    await writeFile(join(out(), 'latest-linux.yml'), latestYml('2.0.0', debName('2.0.0'), bytes));
    relay = await startRelay({
      dataDir: p('hq'),
      host: '127.0.0.1',
      port: 0,
      log: () => undefined,
      updatesDir: out(),
    });
  });
  afterAll(async () => {
    await relay?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('builds the manifest from the yml and the files, refuses a yml that lies about a file', async () => {
    const bytes = artifactBytes('2.0.0');
    const liar = p('liar');
    await mkdir(liar, { recursive: true });
    await writeFile(join(liar, debName('2.0.0')), bytes);
    await writeFile(
      join(liar, 'latest-linux.yml'),
      latestYml('2.0.0', debName('2.0.0'), artifactBytes('1.0.0')),
    );
    const refused = await run(['it', 'release', liar, '--channel', 'stable', '--manifest-version', '1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('sha512 differs');

    const made = await run([
      'it',
      'release',
      out(),
      '--channel',
      'stable',
      '--manifest-version',
      '7',
      '--rollout',
      '100',
      '--json',
    ]);
    expect(made.code).toBe(0);
    const manifest = p('dist/embassy-release-stable.json');
    const doc = JSON.parse(await readFile(manifest, 'utf8'));
    expect(doc.signed).toMatchObject({
      type: 'embassy.it.release',
      version: 7,
      channel: 'stable',
      appVersion: '2.0.0',
    });
    expect(doc.signed.files).toEqual([
      { name: debName('2.0.0'), size: bytes.length, sha512: expect.any(String) },
    ]);

    expect((await run(['it', 'sign', manifest, '--key', p('c.key')])).code).toBe(0);
    const one = await run(['it', 'verify', manifest, '--root', p('root.json'), '--json']);
    expect(JSON.parse(one.stdout).error.code).toBe('E_IT_THRESHOLD');
    expect((await run(['it', 'sign', manifest, '--key', p('a.key')])).code).toBe(0);
    const two = await run(['it', 'verify', manifest, '--root', p('root.json'), '--json']);
    expect(JSON.parse(two.stdout)).toMatchObject({
      ok: true,
      type: 'embassy.it.release',
      validSignatures: 2,
      threshold: 2,
    });
  });

  it('a workstation takes the release from the relay (hq serve --updates) and installs it', async () => {
    const s = await itSodium();
    const root = trustPinnedRoot(s, parseItDocument(await readFile(p('root.json'), 'utf8')));
    const ws = await workstation(
      p('ws'),
      { keys: [], rootDoc: root.document, root },
      { kind: 'hq', url: `${relay.url}/v1/updates/`, channel: 'stable', pinSha256: relay.fingerprint },
      '1.4.2',
    );
    expect(await ws.updates.check()).toMatchObject({ state: 'available', availableVersion: '2.0.0' });
    expect((await ws.updates.download()).state).toBe('verified');
    await ws.updates.install();
    expect(ws.updater.installed).toHaveLength(1);
    ws.updates.dispose();
  });

  it('a relay whose certificate is not the pinned one gets no request: E_UPDATE_UNAVAILABLE', async () => {
    const s = await itSodium();
    const root = trustPinnedRoot(s, parseItDocument(await readFile(p('root.json'), 'utf8')));
    const ws = await workstation(
      p('ws-pin'),
      { keys: [], rootDoc: root.document, root },
      { kind: 'hq', url: `${relay.url}/v1/updates/`, channel: 'stable', pinSha256: 'ab'.repeat(32) },
      '1.4.2',
    );
    await expect(ws.updates.check()).rejects.toMatchObject({ code: 'E_UPDATE_UNAVAILABLE' });
    expect(await ws.cached()).toEqual([]);
    ws.updates.dispose();
  });
});
