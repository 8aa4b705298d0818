import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  BRIDGE_MAX_FRAME_BYTES,
  BRIDGE_PROTOCOL,
  BRIDGE_TOKEN_PREFIX,
  BridgeRequest,
  type BridgeResponse,
} from '../../shared/bridge/protocol';
import { ErrorCode, type ContractError } from '../../shared/contract/errors';
import type { Dispatch } from '../core';

/**
 * The loopback WebSocket bridge: the same handler table as Electron IPC, for the browser
 * preview and the Playwright tests. Development and tests only; the Electron main bundle never
 * imports this module (a test checks the built bundle).
 *
 * Who may connect: a loopback peer that presents the per-run token in the WebSocket
 * subprotocol list and, when it sends an Origin, comes from the page's own origin. Everyone
 * else gets HTTP 401 with a typed error body and no WebSocket.
 */
export interface BridgeOptions {
  readonly server: Server;
  readonly dispatch: Dispatch;
  /** The per-run secret (hex). */
  readonly token: string;
  /** URL path of the bridge endpoint. */
  readonly path?: string;
  /** Origins allowed to connect from a browser (the preview page's own origin). */
  readonly allowedOrigins: () => readonly string[];
}

export interface Bridge {
  close(): Promise<void>;
}

/** Beyond this ws closes the socket itself (1009); up to it we answer E_PAYLOAD_TOO_LARGE. */
const HARD_FRAME_LIMIT = 64 * 1024 * 1024;

export function attachBridge(options: BridgeOptions): Bridge {
  const path = options.path ?? '/bridge';
  const expected = Buffer.from(options.token, 'utf8');
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: HARD_FRAME_LIMIT,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(BRIDGE_PROTOCOL) ? BRIDGE_PROTOCOL : false),
  });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const refusal = admit(req, path, expected, options.allowedOrigins());
    if (refusal) {
      refuse(socket, refusal);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, options.dispatch));
  };
  options.server.on('upgrade', onUpgrade);

  return {
    close: () =>
      new Promise((resolve) => {
        options.server.off('upgrade', onUpgrade);
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

function admit(
  req: IncomingMessage,
  path: string,
  expected: Buffer,
  origins: readonly string[],
): ContractError | null {
  if (!isLoopback(req.socket.remoteAddress)) {
    return { code: ErrorCode.Unauthorized, message: 'bridge accepts loopback peers only' };
  }
  const url = new URL(req.url ?? '/', 'http://bridge.invalid');
  if (url.pathname !== path) return { code: ErrorCode.BadRequest, message: 'no such endpoint' };
  const origin = req.headers.origin;
  if (origin !== undefined && !origins.includes(origin)) {
    return { code: ErrorCode.Unauthorized, message: 'origin not allowed' };
  }
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const tokenEntry = offered.find((p) => p.startsWith(BRIDGE_TOKEN_PREFIX));
  const presented = Buffer.from(tokenEntry?.slice(BRIDGE_TOKEN_PREFIX.length) ?? '', 'utf8');
  if (
    !offered.includes(BRIDGE_PROTOCOL) ||
    presented.length !== expected.length ||
    !timingSafeEqual(presented, expected)
  ) {
    return { code: ErrorCode.Unauthorized, message: 'missing or wrong bridge token' };
  }
  return null;
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

function refuse(socket: Duplex, error: ContractError): void {
  const status = error.code === ErrorCode.BadRequest ? '404 Not Found' : '401 Unauthorized';
  const body = JSON.stringify({ ok: false, error });
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function serve(ws: WebSocket, dispatch: Dispatch): void {
  ws.on('message', (data: RawData, isBinary: boolean) => {
    void answer(data, isBinary, dispatch).then((response) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(response));
    });
  });
  // A broken peer must never take the core down.
  ws.on('error', () => ws.terminate());
}

async function answer(data: RawData, isBinary: boolean, dispatch: Dispatch): Promise<BridgeResponse> {
  const bytes = frameLength(data);
  if (bytes > BRIDGE_MAX_FRAME_BYTES) {
    return fail(null, ErrorCode.PayloadTooLarge, `frame of ${bytes} bytes exceeds ${BRIDGE_MAX_FRAME_BYTES}`);
  }
  if (isBinary) return fail(null, ErrorCode.BadRequest, 'binary frames are not accepted');
  let raw: unknown;
  try {
    raw = JSON.parse(rawToString(data));
  } catch {
    return fail(null, ErrorCode.BadRequest, 'frame is not JSON');
  }
  const request = BridgeRequest.safeParse(raw);
  if (!request.success) {
    return fail(salvageId(raw), ErrorCode.BadRequest, 'frame is not a bridge request');
  }
  const result = await dispatch(request.data.call, request.data.input, { transport: 'bridge' });
  return { id: request.data.id, result };
}

function fail(id: number | null, code: ErrorCode, message: string): BridgeResponse {
  return { id, result: { ok: false, error: { code, message } } };
}

function salvageId(raw: unknown): number | null {
  if (typeof raw !== 'object' || raw === null || !('id' in raw)) return null;
  const id = (raw as { id: unknown }).id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null;
}

function frameLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
