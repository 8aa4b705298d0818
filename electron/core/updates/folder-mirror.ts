import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * A folder (a USB stick) as one more untrusted mirror: its files served read-only on
 * 127.0.0.1 so electron-updater fetches them exactly as it fetches HQ's, and every check (the
 * signed manifest, the metadata match, both sha512 checks) runs unchanged. Only plain file
 * names directly in the folder are served: no path, no dot file, GET and HEAD only.
 */
export interface FolderMirror {
  /** `http://127.0.0.1:PORT/`, the generic provider's URL. */
  readonly url: string;
  close(): Promise<void>;
}

const SERVABLE = /^[A-Za-z0-9_][A-Za-z0-9._+-]{0,199}$/;

async function serve(dir: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const name = decodeURIComponent(new URL(req.url ?? '/', 'http://mirror.invalid').pathname.slice(1));
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const size = SERVABLE.test(name)
    ? await stat(join(dir, name)).then(
        (s) => (s.isFile() ? s.size : -1),
        () => -1,
      )
    : -1;
  if (size < 0) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(join(dir, name))
    .on('error', () => res.destroy())
    .pipe(res);
}

export async function serveUpdateFolder(dir: string): Promise<FolderMirror> {
  const server = createServer((req, res) => {
    serve(dir, req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
