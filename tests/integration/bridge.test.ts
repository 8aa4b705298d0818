import { createConnection } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { BRIDGE_MAX_FRAME_BYTES } from '../../shared/bridge/protocol';
import { ERROR_CODES } from '../../shared/contract/errors';
import type { Preview } from '../../electron/dev/preview-server';
import { exchange, openBridge, startTestPreview } from './preview-harness';

let preview: Preview;
beforeAll(async () => {
  preview = await startTestPreview();
});
afterAll(async () => {
  await preview.close();
});

async function connected(): Promise<WebSocket> {
  const r = await openBridge(preview);
  if (!('ws' in r)) throw new Error(`refused: ${r.status} ${r.body}`);
  return r.ws;
}

describe('bridge admission', () => {
  it('refuses a connection without the per-run token with 401 and a typed error', async () => {
    const r = await openBridge(preview, { token: null });
    expect(r).toMatchObject({ status: 401 });
    expect(JSON.parse((r as { body: string }).body)).toMatchObject({
      ok: false,
      error: { code: 'E_UNAUTHORIZED' },
    });
  });

  it('refuses a wrong token, a token of the wrong length and a foreign Origin', async () => {
    expect(await openBridge(preview, { token: 'f'.repeat(64) })).toMatchObject({ status: 401 });
    expect(await openBridge(preview, { token: preview.token.slice(1) })).toMatchObject({ status: 401 });
    expect(await openBridge(preview, { origin: 'http://evil.example' })).toMatchObject({ status: 401 });
  });

  it("accepts the right token from the page's own origin", async () => {
    const r = await openBridge(preview, { origin: preview.origin });
    expect('ws' in r).toBe(true);
    if ('ws' in r) r.ws.close();
  });

  it('listens on loopback only', async () => {
    expect(preview.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const external = Object.values(networkInterfaces())
      .flat()
      .flatMap((a) => (a && a.family === 'IPv4' && !a.internal ? [a.address] : []));
    for (const address of external) {
      const reached = await new Promise<boolean>((resolve) => {
        const s = createConnection({ host: address, port: preview.port });
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      });
      expect(reached, `reachable on ${address}`).toBe(false);
    }
  });
});

/** Deterministic PRNG so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function malformedFrames(count: number, seed = 20261121): (string | Buffer)[] {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const junkValue = (): unknown =>
    pick<() => unknown>([
      () => Math.floor(r() * 1e9),
      () => -1,
      () => r(),
      () => null,
      () => true,
      () => 'x'.repeat(Math.floor(r() * 2000)),
      () => ['en'],
      () => ({ nested: { deep: [1, 2, { x: 'y' }] } }),
      () => '\u0000\uffff\ud800',
    ])();
  const generators: (() => string | Buffer)[] = [
    // Unknown calls.
    () =>
      JSON.stringify({
        id: 1,
        call: pick(['vault.dump', 'app.exec', '__proto__', 'constructor', '', 'app.health ']),
        input: {},
      }),
    // Wrong types and unknown values for a real call.
    () => JSON.stringify({ id: 2, call: 'settings.update', input: { language: junkValue() } }),
    // Extra fields in input.
    () =>
      JSON.stringify({
        id: 3,
        call: 'settings.update',
        input: { language: 'en', [`x${Math.floor(r() * 1e6)}`]: junkValue() },
      }),
    () => JSON.stringify({ id: 4, call: 'app.health', input: { verbose: true } }),
    // Input of the wrong shape.
    () => JSON.stringify({ id: 5, call: 'settings.get', input: junkValue() }),
    // Prototype-pollution attempts as own "__proto__" / "constructor" keys (JSON text, not literals).
    () => `{"id":10,"call":"settings.update","input":{"__proto__":{"language":"en"}}}`,
    () => `{"id":11,"call":"settings.get","input":{"constructor":{"prototype":{"polluted":true}}}}`,
    () => `{"id":12,"call":"settings.get","input":{},"__proto__":{"admin":true}}`,
    // Extra fields, wrong types and missing fields in the frame.
    () => JSON.stringify({ id: 6, call: 'settings.get', input: {}, token: 'guess' }),
    () =>
      JSON.stringify({
        id: pick<unknown>([-1, 1.5, '7', null, true, [1], { n: 1 }, 2 ** 60]),
        call: 'settings.get',
        input: {},
      }),
    () => JSON.stringify({ call: 'settings.get', input: {} }),
    () => JSON.stringify({ id: 7, call: junkValue(), input: {} }),
    // Huge strings (below the frame limit: typed E_INVALID_INPUT; above: E_PAYLOAD_TOO_LARGE).
    () =>
      JSON.stringify({
        id: 8,
        call: 'settings.update',
        input: { language: 'v'.repeat(Math.floor(r() * 1_000_000)) },
      }),
    () =>
      JSON.stringify({
        id: 9,
        call: 'settings.get',
        input: { pad: 'p'.repeat(BRIDGE_MAX_FRAME_BYTES + 10) },
      }),
    // Not JSON, not an object, binary.
    () =>
      pick([
        '',
        '{',
        'null',
        '[]',
        '42',
        '"settings.get"',
        'undefined',
        '{"id":1,"call":"settings.get","input":{}',
      ]),
    () => Buffer.from(Array.from({ length: Math.floor(r() * 512) }, () => Math.floor(r() * 256))),
    () => String.fromCharCode(...Array.from({ length: 64 }, () => Math.floor(r() * 0xd7ff))),
  ];
  return Array.from({ length: count }, () => pick(generators)());
}

describe('bridge against malformed payloads', () => {
  it('rejects 1,000 malformed payloads (950 frames, 50 connections without or with a wrong token) with typed errors, stays up, and still answers a valid call', async () => {
    // Missing or wrong token: refused at the upgrade with 401 and a typed JSON error.
    const r = rng(7);
    for (let i = 0; i < 50; i++) {
      const token =
        i % 2
          ? null
          : Math.floor(r() * 16 ** 8)
              .toString(16)
              .padStart(64, '0');
      const refused = await openBridge(preview, { token });
      expect(refused).toMatchObject({ status: 401 });
      const body = JSON.parse((refused as { body: string }).body) as { error: { code: string } };
      expect(body.error.code).toBe('E_UNAUTHORIZED');
    }
    const ws = await connected();
    const frames = malformedFrames(950);
    const responses = await exchange(ws, frames);
    expect(responses).toHaveLength(950);
    const codes = new Map<string, number>();
    for (const response of responses) {
      expect(response.result.ok).toBe(false);
      if (response.result.ok) continue;
      expect(ERROR_CODES).toContain(response.result.error.code);
      codes.set(response.result.error.code, (codes.get(response.result.error.code) ?? 0) + 1);
    }
    // Every family of refusal was exercised.
    for (const code of ['E_UNKNOWN_CALL', 'E_INVALID_INPUT', 'E_BAD_REQUEST', 'E_PAYLOAD_TOO_LARGE']) {
      expect(codes.get(code) ?? 0, code).toBeGreaterThan(0);
    }
    // The same socket still works, and so does a new one.
    const [valid] = await exchange(ws, [JSON.stringify({ id: 42, call: 'app.health', input: {} })]);
    expect(valid).toMatchObject({ id: 42, result: { ok: true, value: { transport: 'bridge' } } });
    ws.close();
    const fresh = await connected();
    const [again] = await exchange(fresh, [JSON.stringify({ id: 1, call: 'settings.get', input: {} })]);
    expect(again).toMatchObject({ id: 1, result: { ok: true, value: { language: 'vi' } } });
    fresh.close();
  });

  it('does not change stored settings through any refused call', async () => {
    const ws = await connected();
    await exchange(ws, [
      JSON.stringify({ id: 1, call: 'settings.update', input: { language: 'en', admin: true } }),
    ]);
    const [r] = await exchange(ws, [JSON.stringify({ id: 2, call: 'settings.get', input: {} })]);
    expect(r).toMatchObject({ result: { ok: true, value: { language: 'vi' } } });
    ws.close();
  });
});
