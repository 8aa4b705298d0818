import { join } from 'node:path';
import { app, dialog, type BrowserWindow } from 'electron';

/**
 * Where an exported attachment goes: the officer picks it in main's save dialog, in the
 * Documents folder by default, with the attachment's (already cleaned) name suggested. The
 * renderer never names a path; the core writes the file.
 */
export async function pickSavePath(
  window: BrowserWindow | null,
  suggestedName: string,
): Promise<string | null> {
  const options = {
    defaultPath: join(app.getPath('documents'), suggestedName),
    properties: ['createDirectory' as const, 'showOverwriteConfirmation' as const],
  };
  const picked = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
  return picked.canceled || !picked.filePath ? null : picked.filePath;
}
