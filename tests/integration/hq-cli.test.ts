import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { embassy } from './hq-harness';

/** The CLI entry under tsx: the same source the bundle is built from, without a build step. */
const ENTRY = join(process.cwd(), 'electron', 'cli', 'embassy-main.ts');

describe('embassy hq (admin CLI)', () => {
  it('serve prints URL and fingerprint, serves, and stops cleanly on SIGTERM; the data dir is reused', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hq-cli-'));
    try {
      const fingerprints: string[] = [];
      for (let run = 0; run < 2; run++) {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', ENTRY, 'hq', 'serve', '--data', dataDir, '--listen', '127.0.0.1:0', '--json'],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
        const first = await new Promise<string>((res, rej) => {
          createInterface({ input: child.stdout }).once('line', res);
          child.once('exit', () => rej(new Error('serve exited early')));
        });
        const started = JSON.parse(first) as { url: string; fingerprint: string };
        expect(started.fingerprint).toMatch(/^[0-9a-f]{64}$/);
        fingerprints.push(started.fingerprint);
        const status = await new Promise<number>((res, rej) => {
          get(`${started.url}/health`, { rejectUnauthorized: false }, (r) => {
            r.resume();
            res(r.statusCode ?? 0);
          }).on('error', rej);
        });
        expect(status).toBe(200);
        const t0 = Date.now();
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
        console.log(`serve run ${run}: stopped ${Date.now() - t0} ms after SIGTERM`);
      }
      // The identity is created once and kept: clients keep their pin across restarts.
      expect(fingerprints[1]).toBe(fingerprints[0]);
      const devices = await embassy(['hq', 'devices', '--data', dataDir, '--json']);
      expect([devices.code, JSON.parse(devices.stdout)]).toEqual([0, []]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a data dir with no relay, a malformed device id and an unknown device', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'hq-cli-empty-'));
    try {
      const none = await embassy(['hq', 'devices', '--data', empty, '--json']);
      expect(none.code).toBe(1);
      expect(none.stderr).toContain('E_NO_RELAY_DATA');
      expect((await embassy(['hq', 'approve', '--data', empty, 'nope'])).stderr).toContain('E_INVALID_INPUT');
      expect((await embassy(['hq', 'serve', '--data', empty, '--listen', 'nowhere'])).code).toBe(2);
      expect((await embassy(['hq', 'approve', '--data', empty])).code).toBe(2);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
