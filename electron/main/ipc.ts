import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { ErrorCode, IPC_CHANNEL, err, type Result } from '../../shared/contract';
import type { Dispatch } from '../core';
import { isTrustedSender } from './sender-policy';

/**
 * Registers the one IPC handler. Each call's sender frame is checked before anything else;
 * the dispatcher then checks the name, the call's declared transports for 'ipc' (the same
 * declaration the preload's allow-list reads: `shared/contract/call-access.ts`) and the
 * payload against the contract.
 * Returns a disposer.
 */
export function registerIpc(dispatch: Dispatch, window: () => WebContents | null): () => void {
  ipcMain.handle(
    IPC_CHANNEL,
    async (event: IpcMainInvokeEvent, name: unknown, input: unknown): Promise<Result<unknown>> => {
      const ours = window();
      const frame = event.senderFrame;
      const trusted = isTrustedSender({
        frameUrl: frame?.url ?? null,
        isMainFrame: frame !== null && frame === event.sender.mainFrame,
        isOurWindow: ours !== null && event.sender.id === ours.id,
      });
      if (!trusted) return err(ErrorCode.ForbiddenSender, 'IPC sender is not the application frame');
      return dispatch(name, input, { transport: 'ipc' });
    },
  );
  return () => ipcMain.removeHandler(IPC_CHANNEL);
}
