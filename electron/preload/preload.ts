import { contextBridge, ipcRenderer } from 'electron';
import { transportRefusal } from '../../shared/contract/call-access';
import { IPC_CHANNEL, isCallName, type CallName } from '../../shared/contract/call-names';
import type { EmbassyClient } from '../../shared/contract/client';
import { ErrorCode } from '../../shared/contract/errors';
import type { Result } from '../../shared/contract/result';

function refused(code: ErrorCode, message: string): Promise<Result<never>> {
  return Promise.resolve({ ok: false, error: { code, message } } as Result<never>);
}

/**
 * The contextBridge: exposes exactly one typed function, `window.embassy.call`, and nothing
 * of ipcRenderer. Unknown names, and calls or forms the contract keeps for the command line
 * (`shared/contract/call-access.ts`, the same declaration main's dispatcher reads), are
 * refused here already; main refuses them again (it trusts nothing the renderer sends).
 */
const api: EmbassyClient = {
  call: (name: CallName, input: unknown) => {
    if (!isCallName(name)) return refused(ErrorCode.UnknownCall, 'unknown call');
    const refusal = transportRefusal(name, 'ipc', input);
    if (refusal !== null) return refused(ErrorCode.ForbiddenTransport, refusal);
    return ipcRenderer.invoke(IPC_CHANNEL, name, input) as Promise<Result<never>>;
  },
} as EmbassyClient;

contextBridge.exposeInMainWorld('embassy', Object.freeze(api));
