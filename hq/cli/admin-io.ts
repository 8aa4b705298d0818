import { resolve } from 'node:path';
import { EXIT, UsageError, type CliIo } from '../../shared/cli/cli-command';
import { AdminError } from '../admin/device-admin';

/** `--data DIR`, which every `embassy hq` command takes. */
export const DATA_OPTION = {
  type: 'string',
  arg: 'DIR',
  help: "the relay's data folder (its database, keys, certificate)",
} as const;

/** The `--data DIR` every `embassy hq` command needs, resolved. */
export function dataDirOf(data: string | undefined): string {
  if (data === undefined || data === '') throw new UsageError('--data DIR is required');
  return resolve(data);
}

/** Runs an admin action, printing an AdminError as `embassy: CODE: message` (exit 1). */
export async function adminAction(json: boolean, io: CliIo, action: () => Promise<number>): Promise<number> {
  try {
    return await action();
  } catch (e) {
    if (!(e instanceof AdminError)) throw e;
    if (json) io.stdout(`${JSON.stringify({ ok: false, error: { code: e.code, message: e.message } })}\n`);
    io.stderr(`embassy: ${e.code}: ${e.message}\n`);
    return EXIT.callFailed;
  }
}
