/** Lowercase hexadecimal, the one encoding of ids and digests in the sync protocol and PKI code. */

const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += HEX.charAt(b >> 4) + HEX.charAt(b & 15);
  return s;
}

/** Lowercase hex only, even length; throws otherwise. */
export function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw new Error('not lowercase hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
