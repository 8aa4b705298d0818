/**
 * Base64 for code that has no Node `Buffer` (the renderer): `btoa`/`atob` over binary strings,
 * in 32 KiB pieces so that a large file does not overflow the argument list.
 */
/** Both exist in browsers and in Node 16+; the shared code is typed without either's library. */
const { btoa, atob } = globalThis as unknown as {
  btoa(binary: string): string;
  atob(base64: string): string;
};

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The bytes of a base64 string; throws on characters outside the alphabet. */
export function fromBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
