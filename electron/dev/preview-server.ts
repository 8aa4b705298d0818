import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachBridge, type Bridge } from './bridge-server';
import type { Dispatch } from '../core';
import { rendererCsp, resolveAsset, contentTypeFor, securityHeaders } from '../core/renderer-assets';

/**
 * The browser preview: the built renderer served on 127.0.0.1 with the same CSP as the
 * Electron app (plus the bridge origin in connect-src), and the bridge on `/bridge`.
 * Development and tests only.
 */
export interface PreviewOptions {
  readonly rendererDir: string;
  readonly dispatch: Dispatch;
  /** 0 picks a free port. */
  readonly port: number;
  /** Fixed token for tests that need it; a fresh random one otherwise. */
  readonly token?: string;
}

export interface Preview {
  /** Page URL including the token in the fragment (never sent to the server in requests). */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

export async function startPreview(options: PreviewOptions): Promise<Preview> {
  const token = options.token ?? randomBytes(32).toString('hex');
  let origin = '';
  const server: Server = createServer((req, res) => {
    void serveAsset(options.rendererDir, req, res, rendererCsp({ connectSrc: [wsOrigin(origin)] }));
  });
  const bridge: Bridge = attachBridge({
    server,
    dispatch: options.dispatch,
    token,
    allowedOrigins: () => [origin],
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only, by construction: never 0.0.0.0 or ::.
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/#bridge=${token}`,
    origin,
    port,
    token,
    close: async () => {
      await bridge.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function wsOrigin(httpOrigin: string): string {
  return httpOrigin.replace(/^http:/, 'ws:');
}

async function serveAsset(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  csp: string,
): Promise<void> {
  const headers = securityHeaders(csp);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
    return;
  }
  const pathname = new URL(req.url ?? '/', 'http://preview.invalid').pathname;
  const file = resolveAsset(root, pathname);
  if (!file) {
    res.writeHead(404, headers).end();
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, { ...headers, 'Content-Type': contentTypeFor(file) ?? 'application/octet-stream' });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res.writeHead(404, headers).end();
  }
}
