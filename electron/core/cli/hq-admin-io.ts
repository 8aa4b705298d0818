import { resolve } from 'node:path';
import { AdminError } from '../../../hq/admin/device-admin';
import { EXIT, UsageError, type CliArgs, type CliIo } from './cli-command';

/** The `--data DIR` every `embassy hq` command needs, resolved. */
export function dataDirOf(values: CliArgs['values']): string {
  const data = values.data;
  if (typeof data !== 'string' || data === '') throw new UsageError('--data DIR is required');
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
