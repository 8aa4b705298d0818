import type { VaultService } from '../../vault';

/** What the engine's parts use of the vault: its state, and the sync operations of its worker. */
export type EngineVault = Pick<VaultService, 'run' | 'status'>;

/** Bytes asked of the vault per read of an outbox row or a download (the worker's limit). */
export const READ_PIECE = 4 * 1024 * 1024;

export async function isUnlocked(vault: EngineVault): Promise<boolean> {
  return (await vault.status()).state === 'unlocked';
}

/** This workstation's sync identity (public keys, HQ, enrolment status, inbox cursor), or null. */
export async function readIdentity(vault: EngineVault) {
  return (await vault.run('sync.identity', {})).identity;
}

export type SyncIdentity = NonNullable<Awaited<ReturnType<typeof readIdentity>>>;
