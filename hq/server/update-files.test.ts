import { mkdtempSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RunningRelay } from './relay-server';

/** The relay's update folder: served by plain name only, never outside the folder. */
describe('GET /v1/updates/NAME', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-updates-'));
  let relay: RunningRelay;
  const get = (path: string, method = 'GET') =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${relay.url}${path}`, { method, rejectUnauthorized: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

  beforeAll(async () => {
    await mkdir(join(dir, 'data', 'updates'), { recursive: true });
    await writeFile(join(dir, 'data', 'updates', 'latest-linux.yml'), 'version: 1.0.0\n');
    await writeFile(join(dir, 'data', 'updates', '.hidden'), 'no');
    await writeFile(join(dir, 'data', 'secret.txt'), 'no');
    relay = await startRelay({
      dataDir: join(dir, 'data'),
      host: '127.0.0.1',
      port: 0,
      log: () => undefined,
    });
  });
  afterAll(async () => {
    await relay?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a file by name, with a query ignored, and HEAD', async () => {
    expect(await get('/v1/updates/latest-linux.yml?noCache=1a2b')).toEqual({
      status: 200,
      body: 'version: 1.0.0\n',
    });
    expect((await get('/v1/updates/latest-linux.yml', 'HEAD')).status).toBe(200);
  });

  it('refuses paths, dot files, encoded traversal and other methods', async () => {
    for (const path of [
      '/v1/updates/..%2Fsecret.txt',
      '/v1/updates/%2E%2E%2Fsecret.txt',
      '/v1/updates/.hidden',
      '/v1/updates/',
      '/v1/updates/missing.deb',
    ])
      expect((await get(path)).status, path).toBe(404);
    expect((await get('/v1/updates/latest-linux.yml', 'POST')).status).toBe(405);
  });
});
