import { app, session, type WebContents } from 'electron';

/**
 * Process-wide lockdown, applied before any window exists (Signal Desktop and the Electron
 * security checklist are the model): sandbox everywhere, no navigation, no new windows, no
 * webviews, every permission denied, no downloads.
 */
export function hardenApp(): void {
  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents));
}

export function lockDownContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-frame-navigate', (event) => {
    // The only document ever loaded is the one main loads with loadURL; frames never navigate.
    if (!event.isMainFrame || contents.getURL() !== '') event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Deny every permission request and check, refuse downloads. Call once the app is ready. */
export function hardenSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.setDisplayMediaRequestHandler((_request, callback) => callback({}));
  ses.on('will-download', (event) => event.preventDefault());
  // Defense in depth: the app:// handler already sends this CSP; any other response that
  // reaches this session (there should be none) gets the same strict policy. Written out as
  // a literal so electronegativity's CSP evaluator reads the real policy; a test on the built
  // bundle checks that it equals rendererCsp() (electron/core/renderer-assets).
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [
          "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; img-src 'self'; worker-src 'self'; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'",
        ],
      },
    });
  });
}
