import type { Result } from '../../shared/contract/result';
import { UsageError, type CliIo } from '../../shared/cli/cli-command';
import type { Core } from '../core';
import { call, profileCore } from './cli-core';

/** The core for a vault command, on the profile named by `--profile` (or the app's own). */
export function vaultCore(profile: string | undefined, trustAnchorFiles: readonly string[] = []): Core {
  // A command runs what it was asked and exits: no background sync rounds, no push socket.
  return profileCore(profile, {
    sync: { background: false, push: false },
    ...(trustAnchorFiles.length ? { signing: { trust: { anchorFiles: trustAnchorFiles } } } : {}),
  });
}

/** Reads the PIN or passphrase from stdin (never argv or env); refuses an empty one. */
export async function readSecret(pinStdin: boolean, io: CliIo): Promise<string> {
  if (!pinStdin) throw new UsageError('--pin-stdin is required (the secret is read from stdin)');
  const bytes = await io.readStdin();
  const secret = new TextDecoder().decode(bytes);
  bytes.fill(0);
  if (secret.length === 0) throw new UsageError('no PIN or passphrase on stdin');
  return secret;
}

/**
 * Unlocks the profile's vault with the secret (as a PIN or passphrase, per the vault's
 * profile), runs `body`, and always locks again before returning.
 */
export async function withUnlockedVault<T>(
  core: Core,
  secret: string,
  body: () => Promise<Result<T>>,
): Promise<Result<T>> {
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
