import { contextBridge, ipcRenderer } from 'electron';
import { IPC_CHANNEL, isCallName, type CallName } from '../../shared/contract/call-names';
import type { EmbassyClient } from '../../shared/contract/client';
import { ErrorCode } from '../../shared/contract/errors';
import type { Result } from '../../shared/contract/result';

/**
 * The contextBridge: exposes exactly one typed function, `window.embassy.call`, and nothing
 * of ipcRenderer. Unknown names are refused here already (main refuses them again; it trusts
 * nothing the renderer sends).
 */
const api: EmbassyClient = {
  call: (name: CallName, input: unknown) => {
    if (!isCallName(name)) {
      return Promise.resolve({
        ok: false,
        error: { code: ErrorCode.UnknownCall, message: 'unknown call' },
      } as Result<never>);
    }
    return ipcRenderer.invoke(IPC_CHANNEL, name, input) as Promise<Result<never>>;
  },
} as EmbassyClient;

contextBridge.exposeInMainWorld('embassy', Object.freeze(api));
