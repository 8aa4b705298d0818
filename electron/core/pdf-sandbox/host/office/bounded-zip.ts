import { Unzip, UnzipInflate, type UnzipFile } from 'fflate';

/**
 * Reads the entries of an untrusted zip (an office file) within fixed limits, so a zip bomb
 * costs at most `maxTotalBytes` of memory and a bounded amount of inflating: every entry's
 * output is counted as it is produced (never trusting the sizes the headers claim), and the
 * whole read stops at the first limit crossed. Only the entries `wanted` accepts are inflated;
 * the rest are counted and skipped. Local headers are read in order (fflate's streaming
 * reader); the caller hands the entries it got to any later parser (mammoth) as a new zip it
 * built, so no second zip reader ever sees the original bytes.
 */

export interface ZipLimits {
  /** Most entries in the archive (all of them, wanted or not). */
  readonly maxEntries: number;
  /** Most bytes inflated across the wanted entries. */
  readonly maxTotalBytes: number;
  /** Most bytes inflated for one entry. */
  readonly maxEntryBytes: number;
}

/** Office files need a few dozen entries and a few MiB of XML; these leave room, no more. */
export const OFFICE_ZIP_LIMITS: ZipLimits = {
  maxEntries: 2000,
  maxTotalBytes: 48 * 1024 * 1024,
  // A 16 MiB document.xml is a text of thousands of pages.
  maxEntryBytes: 16 * 1024 * 1024,
};

/** Why a zip was refused: the caller answers "no text" for any of them. */
export class ZipLimitError extends Error {
  override name = 'ZipLimitError';
}

/** The wanted entries' inflated bytes, by name. Throws ZipLimitError past a limit or on a broken zip. */
export function readZipEntries(
  bytes: Uint8Array,
  wanted: (name: string) => boolean,
  limits: ZipLimits = OFFICE_ZIP_LIMITS,
): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const state = { entries: 0, total: 0, failure: null as Error | null };
  const fail = (why: string) => {
    state.failure ??= new ZipLimitError(why);
  };
  const unzip = new Unzip((file: UnzipFile) => {
    if (state.failure) return;
    if (++state.entries > limits.maxEntries) return fail('too many entries');
    if (!wanted(file.name) || out.has(file.name)) return;
    const parts: Uint8Array[] = [];
    let size = 0;
    file.ondata = (err, chunk, final) => {
      if (state.failure) return;
      if (err) return fail('broken entry');
      size += chunk.length;
      state.total += chunk.length;
      if (size > limits.maxEntryBytes || state.total > limits.maxTotalBytes) {
        file.terminate();
        return fail('inflates past the limit');
      }
      parts.push(chunk);
      if (final) out.set(file.name, concat(parts, size));
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  // Fed in pieces so a limit stops the inflating early rather than after the whole input.
  const piece = 16 * 1024;
  try {
    for (let o = 0; o < bytes.length && !state.failure; o += piece) {
      const end = Math.min(bytes.length, o + piece);
      unzip.push(bytes.subarray(o, end), end === bytes.length);
    }
  } catch {
    fail('unreadable zip');
  }
  if (state.failure) throw state.failure;
  return out;
}

function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  const all = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}
