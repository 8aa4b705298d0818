import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { RelayContext } from './relay-context';
import { notFound } from './relay-routes';

/** A file name electron-builder writes (metadata, installers, IT's manifest): never a path. */
const UPDATE_FILE = /^[A-Za-z0-9_][A-Za-z0-9._+-]{0,199}$/;

/**
 * `GET|HEAD /v1/updates/NAME`: the update folder (`hq serve --updates DIR`, default
 * `DATA/updates/`) for electron-updater's generic provider: electron-builder's `latest*.yml`, the
 * installers and IT's signed release manifest. Public, like any mirror: the relay holds no IT
 * key, and workstations trust only what IT's release role signed, never this route.
 */
export async function serveUpdateFile(
  ctx: RelayContext,
  name: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (!UPDATE_FILE.test(name)) throw notFound();
  const path = join(ctx.updatesDir, name);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw notFound();
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': info.size,
    'cache-control': 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((resolve) => {
    createReadStream(path)
      .on('error', () => {
        res.destroy();
        resolve();
      })
      .on('end', resolve)
      .pipe(res);
  });
}
