import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Result } from '../../../shared/contract/result';
import { createCore, type Core } from '../core';
import { defaultProfileDir } from '../profile/profile-dir';
import { UsageError, type CliArgs, type CliIo } from './cli-command';

declare const __APP_VERSION__: string;

/** The core for a vault command, on the profile named by `--profile` (or the app's own). */
export function vaultCore(values: CliArgs['values']): Core {
  const profileDir = resolve((values.profile as string | undefined) ?? defaultProfileDir('app'));
  mkdirSync(profileDir, { recursive: true, mode: 0o700 });
  // A command runs what it was asked and exits: no background sync rounds, no push socket.
  // No idle lock either: the process is the session (it unlocks, runs, locks as it exits), and
  // no officer input can reach it, so an idle timer would only cut a long `sync` mid-run.
  return createCore({
    profileDir,
    version: __APP_VERSION__,
    vault: { idleLock: false },
    sync: { background: false, push: false },
  });
}

/** Reads the PIN or passphrase from stdin (never argv or env); refuses an empty one. */
export async function readSecret(values: CliArgs['values'], io: CliIo): Promise<string> {
  if (values['pin-stdin'] !== true)
    throw new UsageError('--pin-stdin is required (the secret is read from stdin)');
  const bytes = await io.readStdin();
  const secret = bytes.toString('utf8');
  bytes.fill(0);
  if (secret.length === 0) throw new UsageError('no PIN or passphrase on stdin');
  return secret;
}

/** Dispatches one call as the CLI transport. */
export function call(core: Core, name: string, input: unknown): Promise<Result<unknown>> {
  return core.dispatch(name, input, { transport: 'cli' });
}

/**
 * Unlocks the profile's vault with the secret (as a PIN or passphrase, per the vault's
 * profile), runs `body`, and always locks again before returning.
 */
export async function withUnlockedVault<T>(
  core: Core,
  secret: string,
  body: () => Promise<Result<T>>,
): Promise<Result<T> | Result<unknown>> {
  const status = await core.vault.status();
  const unlockInput = status.profile === 'passphrase' ? { passphrase: secret } : { pin: secret };
  const unlocked = await call(core, 'vault.unlock', unlockInput);
  if (!unlocked.ok) {
    await core.close();
    return unlocked;
  }
  try {
    return await body();
  } finally {
    // Everything the core started (vault worker, token process, relay sockets) ends here.
    await core.close();
  }
}
