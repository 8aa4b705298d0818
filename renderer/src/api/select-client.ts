import type { EmbassyClient } from '../../../shared/contract/client';
import { createBridgeClient } from './bridge-client';

const TOKEN_KEY = 'embassy.bridge-token';
const TOKEN_FRAGMENT = /^#bridge=([0-9a-f]{64})$/;

/**
 * Picks the transport: Electron's preload API when present; otherwise the preview bridge,
 * whose token arrives once in the URL fragment and is then kept for this tab only
 * (sessionStorage) and removed from the address bar. Null when neither is available.
 */
export function selectClient(win: Window = window): EmbassyClient | null {
  if (win.embassy) return win.embassy;
  const match = TOKEN_FRAGMENT.exec(win.location.hash);
  if (match?.[1]) {
    win.sessionStorage.setItem(TOKEN_KEY, match[1]);
    win.history.replaceState(null, '', `${win.location.pathname}#/`);
  }
  const token = win.sessionStorage.getItem(TOKEN_KEY);
  if (!token) return null;
  const wsUrl = `${win.location.protocol === 'https:' ? 'wss' : 'ws'}://${win.location.host}/bridge`;
  return createBridgeClient(wsUrl, token);
}
