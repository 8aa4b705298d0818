import { BRIDGE_PROTOCOL, BRIDGE_TOKEN_PREFIX, type BridgeResponse } from '../../../shared/bridge/protocol';
import type { CallName } from '../../../shared/contract/call-names';
import type { EmbassyClient } from '../../../shared/contract/client';
import { ErrorCode, isErrorCode } from '../../../shared/contract/errors';
import { err, type Result } from '../../../shared/contract/result';

/**
 * The browser preview's transport: the same `EmbassyClient` as Electron's preload, over the
 * loopback WebSocket bridge. One socket, requests paired with responses by id. A lost socket
 * answers every pending and later call with E_TRANSPORT rather than hanging.
 */
export function createBridgeClient(url: string, token: string): EmbassyClient {
  const socket = new WebSocket(url, [BRIDGE_PROTOCOL, `${BRIDGE_TOKEN_PREFIX}${token}`]);
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const opened = new Promise<boolean>((resolve) => {
    socket.addEventListener('open', () => resolve(true), { once: true });
    socket.addEventListener('close', () => resolve(false), { once: true });
  });
  let nextId = 1;

  socket.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (typeof event.data !== 'string') return;
    let response: BridgeResponse;
    try {
      response = JSON.parse(event.data) as BridgeResponse;
    } catch {
      return;
    }
    if (response.id === null) return;
    const settle = pending.get(response.id);
    if (!settle) return;
    pending.delete(response.id);
    const r = response.result;
    if (r.ok) settle({ ok: true, value: r.value });
    else settle(err(isErrorCode(r.error.code) ? r.error.code : ErrorCode.Internal, r.error.message));
  });
  socket.addEventListener('close', () => {
    for (const settle of pending.values())
      settle(err(ErrorCode.TransportClosed, 'connection to the core closed'));
    pending.clear();
  });

  return {
    async call(name: CallName, input: unknown) {
      if (!(await opened) || socket.readyState !== WebSocket.OPEN) {
        return err(ErrorCode.TransportClosed, 'no connection to the core');
      }
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve as (r: Result<unknown>) => void);
        socket.send(JSON.stringify({ id, call: name, input }));
      });
    },
  } as EmbassyClient;
}
