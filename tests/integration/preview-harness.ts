import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { BRIDGE_PROTOCOL, BRIDGE_TOKEN_PREFIX, type BridgeResponse } from '../../shared/bridge/protocol';
import { createCore } from '../../electron/core';
import { startPreview, type Preview } from '../../electron/dev/preview-server';

/** A real core behind a real preview server on 127.0.0.1, on a fresh profile. */
export async function startTestPreview(): Promise<Preview & { profileDir: string }> {
  const profileDir = await mkdtemp(join(tmpdir(), 'embassy-bridge-'));
  const core = createCore({ profileDir, version: '0.0.0-test' });
  const preview = await startPreview({
    rendererDir: join(profileDir, 'no-renderer'),
    dispatch: core.dispatch,
    port: 0,
  });
  return Object.assign(preview, { profileDir });
}

export interface OpenOptions {
  token?: string | null;
  origin?: string;
  path?: string;
}

/** Opens a bridge socket; resolves it, or the HTTP status and body of the refusal. */
export function openBridge(
  preview: Preview,
  { token = preview.token, origin, path = '/bridge' }: OpenOptions = {},
): Promise<{ ws: WebSocket } | { status: number; body: string }> {
  const protocols = token === null ? [BRIDGE_PROTOCOL] : [BRIDGE_PROTOCOL, `${BRIDGE_TOKEN_PREFIX}${token}`];
  const ws = new WebSocket(`ws://127.0.0.1:${preview.port}${path}`, protocols, origin ? { origin } : {});
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

/** Sends raw frames and collects one response per frame, in order of arrival. */
export async function exchange(ws: WebSocket, frames: (string | Buffer)[]): Promise<BridgeResponse[]> {
  const responses: BridgeResponse[] = [];
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      responses.push(JSON.parse(data.toString()) as BridgeResponse);
      if (responses.length === frames.length) {
        ws.off('message', onMessage);
        resolve(responses);
      }
    };
    ws.on('message', onMessage);
    ws.once('close', (code) =>
      reject(new Error(`socket closed (${code}) after ${responses.length} responses`)),
    );
    for (const f of frames) ws.send(f, { binary: Buffer.isBuffer(f) });
  });
}
