import type { EmbassyClient } from '../../shared/contract/client';

declare global {
  interface Window {
    /** Present in Electron (the preload's contextBridge); absent in the browser preview. */
    readonly embassy?: EmbassyClient;
  }
  const __APP_VERSION__: string;
}

export {};
