/**
 * PKCS#11 CKM_ECDSA returns the signature as raw r‖s (two big-endian integers of the curve's
 * size); CMS, X.509 and PDF want the DER `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`
 * (RFC 3279). This is encoding only: the signature itself comes from the token.
 */
export function rawEcdsaToDer(raw: Uint8Array): Buffer {
  if (raw.length === 0 || raw.length % 2 !== 0 || raw.length > 132) {
    throw new Error(`raw ECDSA signature has an impossible length (${raw.length})`);
  }
  const half = raw.length / 2;
  const body = Buffer.concat([derInteger(raw.subarray(0, half)), derInteger(raw.subarray(half))]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

/** A DER INTEGER of an unsigned big-endian value: minimal length, a 0x00 if the top bit is set. */
function derInteger(unsigned: Uint8Array): Buffer {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start++;
  let value = Buffer.from(unsigned.subarray(start));
  if ((value[0] ?? 0) & 0x80) value = Buffer.concat([Buffer.from([0]), value]);
  return Buffer.concat([Buffer.from([0x02]), derLength(value.length), value]);
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  return Buffer.from([0x82, n >> 8, n & 0xff]);
}
