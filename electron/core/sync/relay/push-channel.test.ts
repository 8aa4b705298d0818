import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DeviceSession } from './device-session';
import { fingerprintOf, PinnedAgent } from './pinned-agent';
import { openPush } from './push-channel';
import type { RelayClientError } from './relay-error';

/**
 * The pinned transport and the push channel against a real TLS server on loopback (a
 * throwaway certificate made with openssl), with the session faked.
 */
let dir: string;
let cert: Buffer;
let key: Buffer;
let pin: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'push-channel-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'].concat([
      '-subj',
      '/CN=relay-test',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]),
    { stdio: 'ignore' },
  );
  cert = readFileSync(join(dir, 'cert.pem'));
  key = readFileSync(join(dir, 'key.pem'));
  pin = fingerprintOf(new X509Certificate(cert).raw);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface TestServer {
  base: URL;
  requests: number;
  upgrades: number;
  /** What the server does with an accepted WebSocket. */
  onSocket: (ws: WebSocket) => void;
  /** Refuse upgrades with this HTTP status. */
  refuse?: number;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function startServer(): Promise<TestServer> {
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer({ cert, key, minVersion: 'TLSv1.3' }, (_req, res) => {
    t.requests++;
    res.end('ok');
  });
  const t: TestServer = {
    base: new URL('https://127.0.0.1'),
    requests: 0,
    upgrades: 0,
    onSocket: () => undefined,
  };
  server.on('upgrade', (req, socket: Socket, head) => {
    t.upgrades++;
    if (t.refuse || req.headers.authorization !== 'Bearer token-1') {
      socket.end(`HTTP/1.1 ${t.refuse ?? 401} Refused\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => t.onSocket(ws));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.base = new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return t;
}

function fakeSession() {
  const s = { forgotten: 0, token: async () => 'token-1', forget: () => void s.forgotten++ };
  return s;
}

/** Opens push; resolves when it reports its end, with what it reported. */
function push(server: TestServer, session = fakeSession(), pinHex = pin) {
  const mail: number[] = [];
  let closes = 0;
  let handle: { close(): void } | undefined;
  const ended = new Promise<Error | undefined>((resolve) => {
    handle = openPush(
      {
        base: server.base,
        fingerprintHex: pinHex,
        timeoutMs: 5_000,
        session: session as unknown as DeviceSession,
      },
      (cursor) => mail.push(cursor),
      (err) => {
        closes++;
        resolve(err);
      },
    );
  });
  return { mail, ended, closes: () => closes, close: () => handle?.close(), session };
}

describe('pinned transport', () => {
  it('talks to the relay whose certificate matches the pin', async () => {
    const server = await startServer();
    const agent = new PinnedAgent(pin, 5_000, { keepAlive: false });
    const status = await new Promise<number>((resolve, reject) => {
      request(new URL('/health', server.base), { agent }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(200);
    expect(server.requests).toBe(1);
  });

  it('refuses another certificate (E_PINNING) before any request byte is sent', async () => {
    const server = await startServer();
    const agent = new PinnedAgent('00'.repeat(32), 5_000, { keepAlive: false });
    const error = await new Promise<unknown>((resolve) => {
      request(new URL('/health', server.base), { agent }, () => resolve(new Error('answered')))
        .on('error', resolve)
        .end();
    });
    expect(error).toMatchObject({ code: 'E_PINNING' });
    expect(server.requests).toBe(0);
  });
});

describe('push channel', () => {
  it("reports the relay's mail cursors and ignores its hello", async () => {
    const server = await startServer();
    server.onSocket = (ws) => {
      ws.send(JSON.stringify({ type: 'hello', deviceId: '11'.repeat(16) }));
      ws.send(JSON.stringify({ type: 'mail', cursor: 3 }));
      ws.send(JSON.stringify({ type: 'mail', cursor: 4 }), () => ws.close(1000));
    };
    const p = push(server);
    expect(await p.ended).toBeUndefined();
    expect(p.mail).toEqual([3, 4]);
  });

  it('ends with E_PROTOCOL on a message outside the protocol', async () => {
    const server = await startServer();
    server.onSocket = (ws) => ws.send(JSON.stringify({ type: 'mail', cursor: -1 }));
    const p = push(server);
    expect(await p.ended).toMatchObject({ code: 'E_PROTOCOL' });
    expect(p.mail).toEqual([]);
  });

  it('a refused upgrade (401) makes the session log in again, and is retryable', async () => {
    const server = await startServer();
    server.refuse = 401;
    const p = push(server);
    const err = (await p.ended) as RelayClientError;
    expect(err).toMatchObject({ code: 'E_PUSH_REFUSED', status: 401, retryable: true });
    expect(p.session.forgotten).toBe(1);
  });

  it('a close with 4001 (session ended) makes the session log in again', async () => {
    const server = await startServer();
    server.onSocket = (ws) => ws.close(4001);
    const p = push(server);
    expect(await p.ended).toMatchObject({ code: 'E_NETWORK', retryable: true });
    expect(p.session.forgotten).toBe(1);
  });

  it('closing it reports the end once, without an error', async () => {
    const server = await startServer();
    server.onSocket = (ws) => ws.send(JSON.stringify({ type: 'mail', cursor: 1 }));
    const p = push(server);
    // Open on both ends once the first message arrived.
    for (let i = 0; i < 200 && p.mail.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(p.mail).toEqual([1]);
    p.close();
    expect(await p.ended).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(p.closes()).toBe(1);
  });

  it('does not reach a relay with another certificate', async () => {
    const server = await startServer();
    const p = push(server, fakeSession(), '00'.repeat(32));
    expect(await p.ended).toMatchObject({ code: 'E_PINNING' });
    expect(server.upgrades).toBe(0);
  });
});
