import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import { ensurePrivateDir } from '../profile';
import {
  DEFAULT_IDLE_TIMEOUT_SECONDS,
  MAX_IDLE_TIMEOUT_SECONDS,
  MIN_IDLE_TIMEOUT_SECONDS,
} from '../../../shared/domain/vault';

const inRange = (v: unknown): v is number =>
  typeof v === 'number' &&
  Number.isInteger(v) &&
  v >= MIN_IDLE_TIMEOUT_SECONDS &&
  v <= MAX_IDLE_TIMEOUT_SECONDS;

/**
 * The stored idle delay (`vault-settings.json`). A missing, unreadable or out-of-range value
 * reads as the default: a damaged file never turns the idle lock off or stretches it.
 */
export async function readIdleTimeout(settingsPath: string): Promise<number> {
  try {
    const raw = JSON.parse(await readFile(settingsPath, 'utf8')) as { idleTimeoutSeconds?: unknown };
    return inRange(raw.idleTimeoutSeconds) ? raw.idleTimeoutSeconds : DEFAULT_IDLE_TIMEOUT_SECONDS;
  } catch {
    return DEFAULT_IDLE_TIMEOUT_SECONDS;
  }
}

/** Validates and stores the idle delay atomically (temp file, rename), mode 0600. */
export async function writeIdleTimeout(settingsPath: string, seconds: number): Promise<void> {
  if (!inRange(seconds)) throw new CoreError(ErrorCode.InvalidInput, 'idle timeout out of range');
  await ensurePrivateDir(dirname(settingsPath));
  const tmp = `${settingsPath}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ idleTimeoutSeconds: seconds })}\n`, { mode: 0o600 });
  await rename(tmp, settingsPath);
}
