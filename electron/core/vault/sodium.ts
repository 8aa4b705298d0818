import sodium from 'libsodium-wrappers-sumo';

/** libsodium (sumo build: it has crypto_pwhash), after its WebAssembly is ready. */
export type Sodium = typeof sodium;

/** The one way to get libsodium in the vault: every primitive comes from here, none home-made. */
export async function loadSodium(): Promise<Sodium> {
  await sodium.ready;
  return sodium;
}
