import { existsSync } from 'node:fs';
import { z } from 'zod';
import knownModulesJson from '../../../resources/pkcs11-modules.json';

/**
 * The PKCS#11 modules we know, from `resources/pkcs11-modules.json` (one data file, so IT can
 * read and extend it without touching code). Bundled at build time: the file is data, not a
 * runtime dependency.
 */
const Paths = z.array(z.string().min(1).max(512)).max(16);
const KnownModules = z
  .object({
    modules: z
      .array(
        z
          .object({
            id: z.string().max(64),
            name: z.string().max(256),
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

/** Every known module with the candidate paths for this platform (not checked for existence). */
export function knownModuleCandidates(platform: NodeJS.Platform = process.platform): KnownModule[] {
  const { modules } = KnownModules.parse(knownModulesJson);
  const key = platform === 'win32' ? 'win32' : platform === 'darwin' ? 'darwin' : 'linux';
  return modules.flatMap((m) => m[key].map((path) => ({ id: m.id, name: m.name, path })));
}

/**
 * The module to load: the one in settings if given (no probing: IT chose it), else the known
 * modules installed on this machine, in the data file's order of preference.
 */
export function resolveModules(
  configured: string | undefined,
  exists: (p: string) => boolean = existsSync,
): KnownModule[] {
  if (configured) return [{ id: 'configured', name: 'configured module', path: configured }];
  return knownModuleCandidates().filter((m) => exists(m.path));
}
