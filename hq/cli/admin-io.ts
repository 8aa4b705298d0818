import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, UsageError, type CliIo } from '../../shared/cli/cli-command';
import { AdminError, type RelayLocation } from '../admin/device-admin';
import { isPostgresUrl } from '../server/relay-backend';

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

/** `--db URL`: the relay's PostgreSQL database, for a relay that runs on one (`hq serve --db`). */
export const DB_OPTION = {
  type: 'string',
  arg: 'URL',
  help: "the relay's PostgreSQL database, a postgres:// URL (default: SQLite in DIR); give a password in PGPASSWORD or ~/.pgpass, not on the command line",
} as const;

/** `--trust-ca FILE`: the CAs `hq serve` trusts besides DIR/trusted-ca (for reviews and approvals). */
export const TRUST_CA_OPTION = {
  type: 'string',
  multiple: true,
  arg: 'FILE',
  help: "a CA the relay trusts, as given to 'hq serve --trust-ca' (DIR/trusted-ca/*.pem count too)",
} as const;

/** `--trust-ca` files, resolved; each must exist. */
export function trustCaFilesOf(files: readonly string[] | undefined): string[] {
  const out = (files ?? []).map((f) => resolve(f));
  for (const f of out) if (!existsSync(f)) throw new UsageError(`--trust-ca ${f}: no such file`);
  return out;
}

/** `--db URL` checked: undefined when absent. */
export function dbOf(db: string | undefined): string | undefined {
  if (db !== undefined && !isPostgresUrl(db)) throw new UsageError('--db takes a postgres:// URL');
  return db;
}

/** Where the admin commands find the relay's devices: `--db URL`, or else `--data DIR`. */
export function relayLocationOf(values: {
  data?: string | undefined;
  db?: string | undefined;
}): RelayLocation {
  const db = dbOf(values.db);
  if (db !== undefined) return { dataDir: values.data ? resolve(values.data) : '', db };
  return { dataDir: dataDirOf(values.data) };
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
