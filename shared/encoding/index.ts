/** Byte and text encodings shared by every layer (one copy of each rule). */
export { fromBase64, toBase64 } from './base64';
export { ByteReader } from './byte-reader';
export { concat, lengthPrefixed, u32be, u64be } from './bytes';
export { fromHex, toHex } from './hex';
export { ascii, hasControl, isWellFormed, utf8Encode } from './text';
