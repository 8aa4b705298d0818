import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { contentTypeFor, rendererCsp, resolveAsset, securityHeaders } from '../core/renderer-assets';
import { APP_HOST, APP_SCHEME } from './sender-policy';

/** Must run before `app.ready`: makes `app://` a standard, secure origin (no file:// anywhere). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves the built renderer from `rendererDir` on `app://embassy/`, with the strict CSP. */
export function serveRenderer(rendererDir: string): void {
  const headers = securityHeaders(rendererCsp());
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file =
      url.host === APP_HOST && request.method === 'GET' ? resolveAsset(rendererDir, url.pathname) : null;
    if (!file) return new Response(null, { status: 404, headers });
    try {
      const body = await readFile(file);
      return new Response(body, {
        status: 200,
        headers: { ...headers, 'Content-Type': contentTypeFor(file) ?? 'application/octet-stream' },
      });
    } catch {
      return new Response(null, { status: 404, headers });
    }
  });
}
