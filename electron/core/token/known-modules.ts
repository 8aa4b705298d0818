import { existsSync } from 'node:fs';
import { z } from 'zod';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import { isLocalAbsolutePath } from '../../../shared/contract/module-path';
import knownModulesJson from '../../../resources/pkcs11-modules.json';

/**
 * The PKCS#11 modules we know, from `resources/pkcs11-modules.json` (one data file, so IT can
 * read and extend it without touching code). Bundled at build time: the file is data, not a
 * runtime dependency. It is also the allow-list: the interface names a driver by its id here
 * and can never name a library file.
 */
const Paths = z.array(z.string().min(1).max(512).refine(isLocalAbsolutePath)).max(16);
const KnownModules = z
  .object({
    modules: z
      .array(
        z
          .object({
            id: z.string().max(64),
            name: z.string().max(256),
            nameVi: z.string().max(256),
            linux: Paths,
            win32: Paths,
            darwin: Paths,
          })
          .strict(),
      )
      .max(64),
  })
  .passthrough();

export interface KnownModule {
  readonly id: string;
  readonly name: string;
  readonly path: string;
}

/** A known driver as the first-run wizard offers it. */
export interface TokenDriver {
  readonly id: string;
  readonly name: string;
  readonly nameVi: string;
  /** One of its library files exists on this machine. */
  readonly installed: boolean;
}

function platformKey(platform: NodeJS.Platform): 'win32' | 'darwin' | 'linux' {
  return platform === 'win32' ? 'win32' : platform === 'darwin' ? 'darwin' : 'linux';
}

/** Every known module with the candidate paths for this platform (not checked for existence). */
export function knownModuleCandidates(platform: NodeJS.Platform = process.platform): KnownModule[] {
  const { modules } = KnownModules.parse(knownModulesJson);
  const key = platformKey(platform);
  return modules.flatMap((m) => m[key].map((path) => ({ id: m.id, name: m.name, path })));
}

/** Every known driver, in the data file's order, and whether it is installed here. */
export function knownDrivers(
  exists: (p: string) => boolean = existsSync,
  platform: NodeJS.Platform = process.platform,
): TokenDriver[] {
  const key = platformKey(platform);
  return KnownModules.parse(knownModulesJson).modules.map((m) => ({
    id: m.id,
    name: m.name,
    nameVi: m.nameVi,
    installed: m[key].some((p) => exists(p)),
  }));
}

export function isKnownDriver(id: string): boolean {
  return KnownModules.parse(knownModulesJson).modules.some((m) => m.id === id);
}

/**
 * The library file of a known driver: its first candidate that exists here. An id not in the
 * list is E_INVALID_INPUT; a known driver that is not installed, E_TOKEN_MODULE_UNAVAILABLE.
 */
export function driverModulePath(id: string, exists: (p: string) => boolean = existsSync): string {
  if (!isKnownDriver(id)) throw new CoreError(ErrorCode.InvalidInput, 'unknown token driver');
  const path = knownModuleCandidates().find((m) => m.id === id && exists(m.path))?.path;
  if (!path) throw new CoreError(ErrorCode.TokenModuleUnavailable, 'the token driver is not installed');
  return path;
}

/**
 * The module to load: the one configured if given (no probing: IT chose it on the command
 * line, or the officer chose a known driver), else the known modules installed on this
 * machine, in the data file's order of preference. A configured path that is not absolute and
 * local (relative, UNC) yields nothing: it is never handed to the loader.
 */
export function resolveModules(
  configured: string | undefined,
  exists: (p: string) => boolean = existsSync,
): KnownModule[] {
  if (configured) {
    return isLocalAbsolutePath(configured)
      ? [{ id: 'configured', name: 'configured module', path: configured }]
      : [];
  }
  return knownModuleCandidates().filter((m) => exists(m.path));
}
