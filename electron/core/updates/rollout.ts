import type { Sodium } from '../it-signing';

/**
 * Staged rollout from the signed manifest: a workstation is in when the keyed BLAKE2b hash
 * (libsodium `crypto_generichash`, the manifest's salt as key) of its device id, read as a
 * number in [0, 1), is below the percentage. Stable for one salt (a device does not flap between
 * checks), independent across salts, and chosen by IT's signature, not by the unsigned
 * `stagingPercentage` of electron-updater's metadata or a client-side random id.
 */
export function rolloutPosition(s: Sodium, deviceId: string, saltHex: string): number {
  const digest = s.crypto_generichash(8, s.from_string(deviceId), s.from_hex(saltHex));
  // 48 bits fit a double exactly; more add nothing to a percentage.
  let v = 0;
  for (let i = 0; i < 6; i++) v = v * 256 + (digest[i] ?? 0);
  return v / 2 ** 48;
}

export function inRollout(s: Sodium, deviceId: string, saltHex: string, percentage: number): boolean {
  return rolloutPosition(s, deviceId, saltHex) * 100 < percentage;
}
