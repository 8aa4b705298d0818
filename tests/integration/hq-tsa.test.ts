import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TimestampError,
  timestampRequest,
  tokenFromResponse,
  tsaClient,
} from '../../electron/core/signing/tsa-client';
import { startRelay, type RunningRelay } from '../../hq/server/relay-server';
import { loadTsaSigner, TsaConfigError } from '../../hq/server/tsa-responder';
import { createTestTsa, type TestTsa } from '../fixtures/tsa';

/**
 * HQ's time-stamping authority (`hq serve --tsa-key --tsa-cert`): the relay on loopback with a
 * TSA certificate issued by a CA made with `openssl`, asked by our client over the pinned TLS
 * link, and every token judged by `openssl ts -verify` against the CA.
 */
let dir: string;
let tsa: TestTsa;
let relay: RunningRelay;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'embassy-hq-tsa-'));
  tsa = await createTestTsa(dir);
  relay = await startRelay({
    dataDir: join(dir, 'relay'),
    host: '127.0.0.1',
    port: 0,
    log: () => undefined,
    tsa: loadTsaSigner(tsa.keyPath, tsa.certPath),
  });
}, 60_000);
afterAll(async () => {
  await relay?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const digestOf = (s: string) => createHash('sha256').update(s).digest();

describe('HQ TSA at POST /v1/tsa', () => {
  it('answers our client over the pinned link; openssl ts -verify accepts every token', async () => {
    const ask = tsaClient({ url: `${relay.url}/v1/tsa`, pin: relay.fingerprint });
    for (const text of ['công hàm 1', 'công hàm 2', 'công hàm 3']) {
      const digest = digestOf(text);
      const token = await ask(digest);
      const judged = await tsa.verify(token, digest);
      expect(judged.output).toContain('Verification: OK');
      expect(judged.ok, judged.output).toBe(true);
      // The same token does not verify for another digest (the check can fail).
      expect((await tsa.verify(token, digestOf(`${text}!`))).ok).toBe(false);
    }
  });

  it('genTime is the relay clock, to the second; serial numbers differ', async () => {
    const ask = tsaClient({ url: `${relay.url}/v1/tsa`, pin: relay.fingerprint });
    const serials = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const before = Date.now();
      const token = await ask(randomBytes(32));
      const signed = new pkijs.SignedData({
        schema: pkijs.ContentInfo.fromBER(new Uint8Array(token)).content,
      });
      const info = pkijs.TSTInfo.fromBER(signed.encapContentInfo.eContent?.getValue() ?? new ArrayBuffer(0));
      expect(Math.abs(info.genTime.getTime() - before)).toBeLessThan(5_000);
      serials.add(Buffer.from(info.serialNumber.valueBlock.valueHexView).toString('hex'));
    }
    expect(serials.size).toBe(3);
  });

  it('attack: another certificate on the TSA address gets no request (pin)', async () => {
    const wrong = 'ab'.repeat(32);
    const ask = tsaClient({ url: `${relay.url}/v1/tsa`, pin: wrong, timeoutMs: 5_000 });
    await expect(ask(digestOf('x'))).rejects.toBeInstanceOf(TimestampError);
  });

  it('attack: a malformed query or a wrong-length imprint is rejected, never stamped', async () => {
    const post = async (body: Uint8Array) => {
      // The pinned client's transport, with a body of our choosing.
      const { request } = await import('node:https');
      return new Promise<Buffer>((resolve, reject) => {
        const req = request(`${relay.url}/v1/tsa`, {
          method: 'POST',
          rejectUnauthorized: false,
          headers: { 'content-type': 'application/timestamp-query' },
        });
        req.on('error', reject);
        req.on('response', (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => resolve(Buffer.concat(parts)));
        });
        req.end(Buffer.from(body));
      });
    };
    const junk = await post(randomBytes(40));
    expect(pkijs.TimeStampResp.fromBER(new Uint8Array(junk)).status.status).toBe(2);
    const { der, nonce } = timestampRequest(new Uint8Array(20)); // SHA-256 named, 20 bytes given
    const short = await post(der);
    expect(() => tokenFromResponse(short, new Uint8Array(20), nonce)).toThrow(/refused/);
  });

  it('attack: a flood from one address is refused with 429 once its budget is spent', async () => {
    const small = await startRelay({
      dataDir: join(dir, 'relay-small'),
      host: '127.0.0.1',
      port: 0,
      log: () => undefined,
      tsa: loadTsaSigner(tsa.keyPath, tsa.certPath),
      limits: { tsaPerAddress: { burst: 5, perMinute: 1 } },
    });
    try {
      const { request } = await import('node:https');
      const status = (body: Uint8Array) =>
        new Promise<number>((resolve, reject) => {
          const req = request(`${small.url}/v1/tsa`, {
            method: 'POST',
            rejectUnauthorized: false,
            headers: { 'content-type': 'application/timestamp-query' },
          });
          req.on('error', reject);
          req.on('response', (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.end(Buffer.from(body));
        });
      const codes: number[] = [];
      for (let i = 0; i < 12; i++) codes.push(await status(timestampRequest(digestOf(`flood ${i}`)).der));
      console.log(
        `tsa flood: ${codes.filter((c) => c === 200).length} stamped, ${codes.filter((c) => c === 429).length} refused (429)`,
      );
      expect(codes.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(codes.slice(5).every((c) => c === 429)).toBe(true);
    } finally {
      await small.close();
    }
  });

  it('IT config errors stop the start: a certificate without the timeStamping EKU, or another key', async () => {
    expect(() => loadTsaSigner(tsa.keyPath, tsa.rootPath)).toThrow(TsaConfigError);
    const other = await createTestTsa(dir);
    expect(() => loadTsaSigner(other.keyPath, tsa.certPath)).toThrow(/does not match/);
  });
});
