/**
 * Who may call the core over IPC: only the top-level frame of our own window, showing a page
 * from our own `app://embassy` origin. Kept free of `electron` imports so it is unit-tested
 * under Node; `ipc.ts` feeds it what Electron reports about the sender.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'embassy';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export interface SenderFacts {
  /** URL of the frame that sent the message; null when Electron could not say (frame gone). */
  readonly frameUrl: string | null;
  /** Whether that frame is the top-level frame of its page (not an iframe). */
  readonly isMainFrame: boolean;
  /** Whether the sending web contents is the window we created. */
  readonly isOurWindow: boolean;
}

export function isTrustedSender(facts: SenderFacts): boolean {
  if (!facts.isOurWindow || !facts.isMainFrame || facts.frameUrl === null) return false;
  let url: URL;
  try {
    url = new URL(facts.frameUrl);
  } catch {
    return false;
  }
  return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
}
