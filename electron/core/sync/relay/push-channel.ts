import WebSocket from 'ws';
import { PushMessage } from '../../../../shared/sync/relay-protocol';
import { RelayLinkErrorCode } from '../../../../shared/sync/sync-error-codes';
import type { DeviceSession } from './device-session';
import { PinnedAgent } from './pinned-agent';
import { networkError, RelayClientError } from './relay-error';

/** What the push channel runs on. */
export interface PushContext {
  readonly base: URL;
  readonly fingerprintHex: string;
  readonly timeoutMs: number;
  readonly session: DeviceSession;
}

/** The channel's one piece of state. */
interface PushState {
  ws: WebSocket | undefined;
  /** The caller closed it. */
  closed: boolean;
  /** `onClose` was called (once, whatever ends the channel). */
  reported: boolean;
}

/**
 * The relay's wake-ups: a WebSocket (`/v1/push`) over its own pinned agent, on the device's
 * session, that says "mail up to cursor N" as it arrives. Messages are checked against the
 * protocol (anything else ends the channel, `E_PROTOCOL`). A 401 or a close with 4001 means
 * the relay ended the session: the session forgets its token so the next call logs in again.
 * `onClose` is called exactly once: without an error after `close()` or a normal close.
 */
export function openPush(
  ctx: PushContext,
  onMail: (cursor: number) => void,
  onClose: (err?: Error) => void,
): { close(): void } {
  const state: PushState = { ws: undefined, closed: false, reported: false };
  const finish = (err?: Error) => {
    if (state.reported) return;
    state.reported = true;
    onClose(err);
  };
  const url = new URL('/v1/push', ctx.base);
  url.protocol = 'wss:';
  void ctx.session.token().then(
    (token) => {
      if (state.closed) return finish();
      const ws = new WebSocket(url, {
        // A dedicated pinned agent: an upgraded socket leaves the keep-alive pool for good.
        agent: new PinnedAgent(ctx.fingerprintHex, ctx.timeoutMs, { keepAlive: false }),
        headers: { authorization: `Bearer ${token}` },
        maxPayload: 1024,
        handshakeTimeout: ctx.timeoutMs,
      });
      state.ws = ws;
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        let message: PushMessage;
        try {
          if (isBinary) throw new Error('binary');
          message = PushMessage.parse(JSON.parse(data.toString('utf8')));
        } catch {
          ws.terminate();
          return finish(
            new RelayClientError(RelayLinkErrorCode.Protocol, 'a push message does not match the protocol'),
          );
        }
        if (message.type === 'mail') onMail(message.cursor);
      });
      ws.on('unexpected-response', (_req, res) => {
        // The session may have ended: forget it so the next call logs in again.
        if (res.statusCode === 401) ctx.session.forget();
        ws.terminate();
        finish(
          new RelayClientError(
            RelayLinkErrorCode.PushRefused,
            `push refused with HTTP ${res.statusCode ?? 0}`,
            {
              status: res.statusCode ?? 0,
              retryable: (res.statusCode ?? 0) === 401 || (res.statusCode ?? 0) >= 500,
            },
          ),
        );
      });
      ws.on('error', (e) => finish(networkError(e)));
      ws.on('close', (code) => {
        if (code === 4001) ctx.session.forget();
        finish(
          state.closed || code === 1000
            ? undefined
            : new RelayClientError(RelayLinkErrorCode.Network, `push closed (${code})`, { retryable: true }),
        );
      });
    },
    (e: unknown) => finish(e instanceof Error ? e : networkError(e)),
  );
  return {
    close() {
      state.closed = true;
      if (state.ws) state.ws.close(1000);
      else finish();
    },
  };
}
