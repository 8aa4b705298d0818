import { z } from 'zod';
import { concat, u64be } from '../../encoding/bytes';
import { fromHex } from '../../encoding/hex';
import { ascii } from '../../encoding/text';
import { DIRECTORY_CHAIN_CONTEXT } from '../signing-contexts';
import { Sha256Hex } from './wire-fields';

/**
 * HQ's directory as a hash chain (docs/protocols/directory-v2.md#the-chain): every published
 * version names the link of the one before it, so a relay cannot show two workstations two
 * histories, or one workstation an older one, without the histories disagreeing at some
 * serial. A version's **link** commits to the previous link, its serial and its bytes:
 *
 *   link = SHA-256(DIRECTORY_CHAIN_CONTEXT ‖ 0 ‖ previous link (32 zero bytes for the first)
 *                  ‖ u64(serial) ‖ SHA-256(D))
 *
 * Hashing stays with the callers (relay and core both use node:crypto): this module is pure.
 */

export const DirectorySerial = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** A directory version's place in the chain: its serial and its link. */
export const DirectoryHead = z.object({ serial: DirectorySerial, hash: Sha256Hex }).strict();
export type DirectoryHead = z.infer<typeof DirectoryHead>;

/**
 * A published version between the one a device holds and the one it is served: enough to
 * recompute the chain (its serial and SHA-256 of its bytes) without the bytes themselves.
 */
export const DirectoryChainStep = z.object({ serial: DirectorySerial, digest: Sha256Hex }).strict();
export type DirectoryChainStep = z.infer<typeof DirectoryChainStep>;

/** At most this many steps in one answer; a device further behind is served from the start again. */
export const MAX_DIRECTORY_CHAIN_STEPS = 100_000;

/** The bytes whose SHA-256 is a version's link. `previousLink` is null for the first version. */
export function directoryChainMessage(
  previousLink: string | null,
  serial: number,
  digest: string,
): Uint8Array {
  return concat([
    ascii(DIRECTORY_CHAIN_CONTEXT),
    new Uint8Array([0]),
    previousLink === null ? new Uint8Array(32) : fromHex(previousLink),
    u64be(serial),
    fromHex(digest),
  ]);
}

/**
 * Answers whether the served version extends `held`: walking from `held` through `steps` (the
 * versions published after it and before the served one, ascending) must reach the version the
 * served one names as `previous`. False for a fork or a rollback. `sha256Hex` hashes bytes.
 */
export function chainReaches(
  sha256Hex: (bytes: Uint8Array) => string,
  held: DirectoryHead,
  steps: readonly DirectoryChainStep[],
  served: { serial: number; previous: DirectoryHead | null },
): boolean {
  let at = held;
  for (const s of steps) {
    if (s.serial <= at.serial) return false;
    at = { serial: s.serial, hash: sha256Hex(directoryChainMessage(at.hash, s.serial, s.digest)) };
  }
  const p = served.previous;
  return served.serial > at.serial && p !== null && p.serial === at.serial && p.hash === at.hash;
}
