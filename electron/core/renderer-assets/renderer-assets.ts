import { extname, resolve, sep } from 'node:path';

/**
 * How the built renderer is served, shared by Electron's `app://` protocol handler and the
 * preview's loopback HTTP server, so both apply the same path rules and the same CSP.
 */

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

/** The content type for a served file, or null: files of other types are not served at all. */
export function contentTypeFor(path: string): string | null {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? null;
}

/**
 * Maps a URL path to a file under `root`, or null when it would leave `root` (`..`, encoded
 * separators, NUL) or names no servable type. `/` is the index.
 */
export function resolveAsset(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const base = resolve(root);
  const full = resolve(base, relative);
  if (!full.startsWith(base + sep)) return null;
  return contentTypeFor(full) ? full : null;
}

export interface CspOptions {
  /** Extra `connect-src` sources (the preview's bridge WebSocket); none in Electron. */
  readonly connectSrc?: readonly string[];
}

/**
 * The renderer's Content-Security-Policy: nothing by default, then only what the UI needs
 * (its own scripts, styles and fonts). Sent as a response header, not a meta tag, so the
 * preview can add its bridge origin without a second, looser document.
 */
export function rendererCsp(options: CspOptions = {}): string {
  const connect = options.connectSrc?.length ? options.connectSrc.join(' ') : "'none'";
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "font-src 'self'",
    "img-src 'self'",
    // pdf.js renders in a module worker loaded from our own bundle.
    "worker-src 'self'",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** Headers sent with every renderer response, on both transports. */
export function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}
