import { resolve } from 'node:path';
import type { CallName } from '../../shared/contract/call-names';
import type { CallInput, CallOutput } from '../../shared/contract/calls';
import type { Result } from '../../shared/contract/result';
import { createCore, defaultProfileDir, ensurePrivateDirSync, type Core, type CoreOptions } from '../core';

declare const __APP_VERSION__: string;

/**
 * The core on the profile named by `--profile` (or the app's own), created if missing with
 * owner-only permissions.
 */
export function profileCore(
  profile: string | undefined,
  options: Omit<CoreOptions, 'profileDir' | 'version'> = {},
): Core {
  const profileDir = resolve(profile ?? defaultProfileDir('app'));
  ensurePrivateDirSync(profileDir);
  // No idle lock: the process is the session (it unlocks, runs, locks as it exits), and no
  // officer input can reach it, so an idle timer would only cut a long `sync` mid-run.
  return createCore({
    ...options,
    vault: { ...options.vault, idleLock: false },
    profileDir,
    version: __APP_VERSION__,
  });
}

/**
 * Dispatches one call as the CLI transport, typed by the contract: the input is the call's
 * input and the value its output, so a command never casts what it gets back.
 */
export async function call<N extends CallName>(
  core: Core,
  name: N,
  input: CallInput<N>,
): Promise<Result<CallOutput<N>>> {
  // The dispatcher has parsed the value with the call's output schema before it returns it.
  return (await core.dispatch(name, input, { transport: 'cli' })) as Result<CallOutput<N>>;
}
