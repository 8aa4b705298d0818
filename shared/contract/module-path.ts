/**
 * Token drivers (PKCS#11 modules) are named two ways. The renderer names one by its id in
 * `resources/pkcs11-modules.json`; only the command line (`--module`, IT and tests) names a
 * file, and then an absolute, local one. Zod-free so the token process's protocol and the
 * contract share the rule.
 */

/** A driver id as `resources/pkcs11-modules.json` spells them (`softhsm2`, `opensc`). */
export const DRIVER_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * True for an absolute path on this machine's own disks: POSIX `/…` or Windows `C:\…`.
 * Refused: relative paths (resolved against whatever folder the process happens to run in),
 * UNC and device paths (`\\host\share\x.dll`, `//host/share`, `\\?\…`: Windows would load a
 * DLL from the network), `..` segments, and control characters (NUL truncates in C).
 */
export function isLocalAbsolutePath(path: string): boolean {
  if (path.length === 0 || path.length > 1024) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(path)) return false;
  if (path.startsWith('\\\\') || path.startsWith('//') || path.startsWith('\\/') || path.startsWith('/\\')) {
    return false;
  }
  const posix = path.startsWith('/');
  const windows = /^[A-Za-z]:[\\/]/.test(path);
  if (!posix && !windows) return false;
  return !path.split(/[\\/]/).includes('..');
}
