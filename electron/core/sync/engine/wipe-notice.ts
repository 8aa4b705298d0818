import { wipedMessage } from '../../../../shared/sync/relay-protocol';
import { isUnlocked, readIdentity, type EngineVault } from './engine-vault';
import type { RelayConnection } from './relay-connection';

/** How long a wipe waits for HQ before it wipes anyway (an emergency does not wait for a link). */
export const WIPE_NOTICE_TIMEOUT_MS = 5_000;

/**
 * What HQ learnt before the wipe: `told` (HQ revoked this device), `not-told` (offline, HQ
 * refused, the vault was locked so the device key could not sign, or no answer in time), or
 * `not-enrolled` (nothing at HQ to tell).
 */
export type WipeNotice = 'told' | 'not-told' | 'not-enrolled';

/**
 * Tells HQ this device's vault is about to be wiped: the device key (in the vault worker) signs
 * the notice, and it goes on the device's session to `POST /v1/device/wiped`. Never throws and
 * never waits longer than `timeoutMs`: the caller wipes whatever this answers.
 */
export async function tellHqWiped(
  vault: EngineVault,
  connection: RelayConnection,
  now: () => number,
  timeoutMs = WIPE_NOTICE_TIMEOUT_MS,
): Promise<WipeNotice> {
  let timer: NodeJS.Timeout | undefined;
  const attempt = async (): Promise<WipeNotice> => {
    if (!(await isUnlocked(vault))) return 'not-told';
    const id = await readIdentity(vault);
    if (!id || id.status === 'new' || id.status === 'revoked') return 'not-enrolled';
    const wipedAt = now();
    const { signature } = await vault.run('sync.sign', {
      message: wipedMessage(id.deviceId, id.hqFingerprint, wipedAt),
    });
    const { dev } = await connection.device();
    if (!dev.reportWiped) return 'not-told';
    await dev.reportWiped({ wipedAt, signature: Buffer.from(signature).toString('base64') });
    return 'told';
  };
  try {
    return await Promise.race([
      attempt(),
      new Promise<WipeNotice>((resolve) => {
        timer = setTimeout(() => resolve('not-told'), timeoutMs);
      }),
    ]);
  } catch {
    return 'not-told';
  } finally {
    clearTimeout(timer);
  }
}
