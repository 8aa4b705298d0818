import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import { loadSodium } from '../../vault';
import type { DeviceRelay } from '../relay';
import { readIdentity, type EngineVault } from './engine-vault';

/** What the core holds for officers' identities: anchor certificates and CRLs, DER. */
export interface IdentityTrustSources {
  readonly anchors: readonly Uint8Array[];
  readonly crls: readonly Uint8Array[];
}

/**
 * Fetches HQ's directory, with the versions published since the held one, and stores it:
 * checked here against the HQ key pinned at enrolment, and again in the vault (which also
 * refuses a version that does not extend the one it holds).
 */
export async function refreshDirectory(
  vault: EngineVault,
  now: () => number,
  dev: DeviceRelay,
  trust: () => Promise<IdentityTrustSources>,
): Promise<void> {
  const id = await readIdentity(vault);
  if (!id) throw new CoreError(ErrorCode.SyncNotEnrolled, 'not enrolled');
  const sodium = await loadSodium();
  let signature: Uint8Array | null = null;
  const { serial: since } = await vault.run('sync.directory.serial', {});
  const { bytes, steps } = await dev.directory(
    id.hqSignPublicKey,
    (message, sig, publicKey) => {
      signature = sig;
      return sig.length === 64 && sodium.crypto_sign_verify_detached(sig, message, publicKey);
    },
    since,
  );
  if (!signature) throw new CoreError(ErrorCode.SyncDirectoryInvalid, 'the directory carries no signature');
  const { anchors, crls } = await trust();
  // The vault checks that the chain extends the held version, and every device's token
  // certification against these anchors and the pinned ones.
  await vault.run('sync.directory.store', {
    bytes,
    signature,
    ...(steps ? { steps } : {}),
    now: now(),
    anchors: [...anchors],
    crls: [...crls],
  });
}
