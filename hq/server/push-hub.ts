import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { RelayErrorCode, type PushMessage } from '../../shared/sync/relay-protocol';
import type { RelayStore } from '../storage/relay-store';
import type { AuthSessions } from './auth-sessions';

const BEARER = /^Bearer ([A-Za-z0-9_-]{43})$/;

/** Close code when the session behind a push socket ends (expired, or the device revoked). */
export const PUSH_CLOSE_SESSION_ENDED = 4001;

/**
 * `/v1/push`: a WebSocket per connected device, opened with the session token in
 * `Authorization: Bearer`. Relay → device only: it says "mail up to this cursor is waiting";
 * the device then lists its inbox over HTTPS. Nothing secret travels here, and losing a push
 * costs only latency (the device also polls), so delivery is best effort.
 */
export class PushHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024, clientTracking: false });
  private readonly sockets = new Map<string, Set<WebSocket>>();
  private count = 0;

  constructor(
    private readonly auth: AuthSessions,
    private readonly store: RelayStore,
    private readonly maxConnections: number,
    private readonly maxPerDevice: number,
    private readonly log: (line: string) => void,
  ) {}

  private refuse(
    socket: Duplex,
    status: 401 | 403 | 404 | 429 | 503,
    code: RelayErrorCode,
    reason: string,
  ): void {
    const text = {
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      429: 'Too Many Requests',
      503: 'Service Unavailable',
    }[status];
    const body = JSON.stringify({ error: { code, message: reason } });
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }

  /** Handles an HTTP upgrade request; anything but an authenticated `/v1/push` is refused. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    void this.accept(req, socket, head).catch(() => socket.destroy());
  }

  private async accept(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if ((req.url ?? '') !== '/v1/push')
      return this.refuse(socket, 404, RelayErrorCode.NotFound, 'no such route');
    const m = BEARER.exec(req.headers.authorization ?? '');
    const session = m?.[1] ? this.auth.session(m[1]) : undefined;
    if (!session)
      return this.refuse(socket, 401, RelayErrorCode.Unauthenticated, 'a valid session token is required');
    const device = await this.store.getDevice(session.deviceId);
    if (device?.status !== 'approved')
      return this.refuse(socket, 403, RelayErrorCode.DeviceRevoked, 'the device is not approved');
    if (this.count >= this.maxConnections)
      return this.refuse(socket, 503, RelayErrorCode.Busy, 'too many connections');
    if ((this.sockets.get(session.deviceId)?.size ?? 0) >= this.maxPerDevice)
      return this.refuse(socket, 429, RelayErrorCode.RateLimited, 'too many push sockets for this device');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const deviceId = session.deviceId;
      let set = this.sockets.get(deviceId);
      if (!set) this.sockets.set(deviceId, (set = new Set()));
      set.add(ws);
      this.count++;
      // The socket lives no longer than the session that opened it.
      const timer = setTimeout(
        () => ws.close(PUSH_CLOSE_SESSION_ENDED, 'session ended'),
        Math.max(0, session.expiresAt - Date.now()),
      );
      timer.unref();
      ws.on('message', () => ws.close(1003, 'push is one-way'));
      ws.on('error', () => ws.terminate());
      ws.on('close', () => {
        clearTimeout(timer);
        set.delete(ws);
        if (set.size === 0) this.sockets.delete(deviceId);
        this.count--;
      });
      this.send(ws, { type: 'hello', deviceId });
    });
  }

  private send(ws: WebSocket, message: PushMessage): void {
    ws.send(JSON.stringify(message), (err) => {
      if (err) ws.terminate();
    });
  }

  /** Tells `deviceId`'s open sockets that mail up to `cursor` waits; drops them if it was revoked. */
  notify(deviceId: string, cursor: number): void {
    const set = this.sockets.get(deviceId);
    if (!set) return;
    void this.store
      .getDevice(deviceId)
      .then((device) => {
        for (const ws of set) {
          if (device?.status === 'approved') this.send(ws, { type: 'mail', cursor });
          else ws.close(PUSH_CLOSE_SESSION_ENDED, 'device not approved');
        }
      })
      .catch(() => this.log('fault push: device lookup failed'));
  }

  closeAll(): void {
    for (const set of this.sockets.values()) for (const ws of set) ws.terminate();
    this.wss.close();
  }
}
