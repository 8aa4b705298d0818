import sodium from 'libsodium-wrappers-sumo';

/** libsodium after its WebAssembly is ready. */
export type Sodium = typeof sodium;

/** The relay's one way to get libsodium: every signature primitive comes from it, none home-made. */
export async function loadSodium(): Promise<Sodium> {
  await sodium.ready;
  return sodium;
}
