import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SoftHsmToken } from '../fixtures/softhsm';
import {
  EMBASSY_CLI,
  makeOfficers,
  spawnEmbassy,
  startSyncRelay,
  type TestRelayServer,
} from './sync-harness';

/**
 * The officer's sync commands through the built `embassy` bundle, as scripts and IT use them:
 * vault init, enroll, directory, send (message and file), sync --once --json, inbox --json.
 */

let tokens: SoftHsmToken[];
let hq: TestRelayServer;

const embassy = (args: string[], token: SoftHsmToken, stdin?: string) =>
  spawnEmbassy(args, token, stdin).done;

beforeAll(async () => {
  if (!existsSync(EMBASSY_CLI)) throw new Error('dist missing: run npm run build first');
  let rootPath: string;
  ({ tokens, rootPath } = await makeOfficers([
    { name: 'Le Minh Chau', email: 'chau.le@mission.example', label: 'cli-chau' },
    { name: 'Pham Quoc Dung', email: 'dung.pham@hq.example', label: 'cli-dung' },
  ]));
  hq = await startSyncRelay(rootPath);
}, 180_000);

afterAll(async () => {
  await hq?.relay.close();
  for (const t of tokens ?? []) await t.cleanup();
});

describe('embassy enroll / directory / send / sync / inbox', () => {
  it('two officers exchange a message and a file through the relay', async () => {
    const [chau, dung] = tokens as [SoftHsmToken, SoftHsmToken];
    const profiles = [
      mkdtempSync(join(tmpdir(), 'embassy-cli-sync-')),
      mkdtempSync(join(tmpdir(), 'embassy-cli-sync-')),
    ];
    const ids: string[] = [];
    for (const [i, t] of [chau, dung].entries()) {
      const p = profiles[i] as string;
      const init = await embassy(
        ['vault', 'init', '--profile', p, '--module', t.modulePath, '--token', t.label, '--pin-stdin'],
        t,
      );
      expect(init.code, init.stderr).toBe(0);
      const enrolled = await embassy(
        [
          'enroll',
          '--profile',
          p,
          '--hq',
          hq.relay.url,
          '--hq-fingerprint',
          hq.relay.fingerprint,
          '--pin-stdin',
          '--trust',
          t.ca.rootPath,
        ],
        t,
      );
      expect(enrolled.code, enrolled.stderr).toBe(0);
      ids.push(enrolled.stdout.trim());
      expect(ids[i]).toMatch(/^[0-9a-f]{32}$/);
    }
    for (const [i, t] of [chau, dung, chau].entries()) {
      const r = await embassy(
        ['sync', '--profile', profiles[i % 2] as string, '--pin-stdin', '--once', '--json'],
        t,
      );
      expect(r.code, r.stderr).toBe(0);
    }
    const dir = await embassy(
      ['directory', '--profile', profiles[0] as string, '--pin-stdin', '--json'],
      chau,
    );
    expect(dir.code, dir.stderr).toBe(0);
    const officers = JSON.parse(dir.stdout) as { address: string; name: string; reachable: boolean }[];
    expect(officers).toContainEqual(
      expect.objectContaining({ address: 'dung.pham@hq.example', name: 'Pham Quoc Dung', reachable: true }),
    );

    const file = join(profiles[0] as string, '..', `cli-sync-${Date.now()}.txt`);
    writeFileSync(file, 'Danh sách hộ chiếu cần gia hạn\n');
    const m = await embassy(
      [
        'send',
        '--profile',
        profiles[0] as string,
        '--pin-stdin',
        '--to',
        'dung.pham@hq.example',
        '--message',
        'Xin chào trụ sở',
        '--title',
        'Chào',
      ],
      chau,
    );
    expect(m.code, m.stderr).toBe(0);
    const f = await embassy(
      [
        'send',
        '--profile',
        profiles[0] as string,
        '--pin-stdin',
        '--to',
        'dung.pham@hq.example',
        '--file',
        file,
        '--title',
        'Hộ chiếu',
      ],
      chau,
    );
    expect(f.code, f.stderr).toBe(0);
    // A Secret message leaves only with its marking repeated; without, nothing is queued.
    const secret = (extra: string[]) =>
      embassy(
        [
          'send',
          '--profile',
          profiles[0] as string,
          '--pin-stdin',
          '--to',
          'dung.pham@hq.example',
          '--message',
          'Mật mã mới',
          '--classification',
          'secret',
          ...extra,
        ],
        chau,
      );
    const unconfirmed = await secret([]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('--confirm-marking secret');
    expect((await secret(['--confirm-marking', 'confidential'])).code).toBe(2);
    const confirmed = await secret(['--confirm-marking', 'secret']);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    const sent = await embassy(
      ['sync', '--profile', profiles[0] as string, '--pin-stdin', '--once', '--json'],
      chau,
    );
    expect(JSON.parse(sent.stdout)).toMatchObject({ sent: 3, pending: 0 });
    const got = await embassy(
      ['sync', '--profile', profiles[1] as string, '--pin-stdin', '--once', '--json'],
      dung,
    );
    expect(JSON.parse(got.stdout)).toMatchObject({ received: 3, pending: 0 });
    const inbox = await embassy(['inbox', '--profile', profiles[1] as string, '--pin-stdin', '--json'], dung);
    const items = JSON.parse(inbox.stdout) as {
      kind: string;
      title: string;
      text: string;
      sender: string;
      attachments: { name: string }[];
    }[];
    expect(items).toContainEqual(
      expect.objectContaining({
        kind: 'message',
        title: 'Chào',
        text: 'Xin chào trụ sở',
        sender: 'chau.le@mission.example',
      }),
    );
    expect(items.find((i) => i.kind === 'document')?.attachments[0]?.name).toMatch(/^cli-sync-.*\.txt$/);

    // Safety numbers: the same 60 digits from both profiles; verify takes the compared number.
    const shown = await Promise.all(
      [
        [profiles[0], 'dung.pham@hq.example', chau],
        [profiles[1], 'chau.le@mission.example', dung],
      ].map(async ([p, address, t]) => {
        const r = await embassy(
          ['contact', 'show', address as string, '--profile', p as string, '--pin-stdin', '--json'],
          t as SoftHsmToken,
        );
        expect(r.code, r.stderr).toBe(0);
        return JSON.parse(r.stdout) as { safetyNumber: string; verification: { state: string } };
      }),
    );
    expect(shown[0]?.safetyNumber).toMatch(/^\d{60}$/);
    expect(shown[1]?.safetyNumber).toBe(shown[0]?.safetyNumber);
    const grouped = (shown[0]?.safetyNumber.match(/\d{5}/g) ?? []).join(' ');
    const verified = await embassy(
      [
        'contact',
        'verify',
        'dung.pham@hq.example',
        '--number',
        grouped,
        '--profile',
        profiles[0] as string,
        '--pin-stdin',
      ],
      chau,
    );
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain(`${grouped.slice(0, 23)}\n`);
    expect(verified.stdout).toMatch(/\nverified \d{4}-/);

    // A wrong PIN: non-zero, one line, nothing sent.
    const wrong = await embassy(
      ['sync', '--profile', profiles[0] as string, '--pin-stdin', '--once', '--json'],
      chau,
      '000000',
    );
    expect(wrong.code).not.toBe(0);
  }, 240_000);
});
