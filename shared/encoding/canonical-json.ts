import { isWellFormed } from './text';

/**
 * Canonical JSON (RFC 8785, the JSON Canonicalization Scheme), the bytes that IT signatures
 * cover (docs/protocols/it-signed-v1.md). No well-kept canonicaliser is among our dependencies,
 * and JCS was designed so that ECMAScript's own serialisation gives it: `JSON.stringify` for
 * strings and numbers, object members sorted by their names' UTF-16 code units (JavaScript's
 * default string order), no whitespace. What RFC 8785 leaves to I-JSON we refuse instead of
 * guessing: non-finite numbers, lone surrogates, and anything that is not plain JSON data.
 * Signed documents use integers only, so number formatting never decides a signature.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, 0);
}

const MAX_DEPTH = 32;

function encode(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new TypeError('canonical JSON: nested too deeply');
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON: number is not finite');
    // -0 serialises as 0 in ECMAScript, which is what RFC 8785 asks for.
    return JSON.stringify(value);
  }
  if (typeof value === 'string') {
    if (!isWellFormed(value)) throw new TypeError('canonical JSON: string has a lone surrogate');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v: unknown) => encode(v, depth + 1)).join(',')}]`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value as Record<string, unknown>);
    const parts: string[] = [];
    for (const [k, v] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (v === undefined) throw new TypeError('canonical JSON: undefined member');
      if (!isWellFormed(k)) throw new TypeError('canonical JSON: name has a lone surrogate');
      parts.push(`${JSON.stringify(k)}:${encode(v, depth + 1)}`);
    }
    return `{${parts.join(',')}}`;
  }
  throw new TypeError(`canonical JSON: ${typeof value} is not JSON data`);
}
