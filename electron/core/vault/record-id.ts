import { randomBytes } from 'node:crypto';

/**
 * Record ids: UUIDv7 (RFC 9562) — 48 bits of Unix milliseconds, then a 12-bit counter within
 * the millisecond (method 1, started at a random value below 2048 so it neither reveals how
 * many ids came before nor overflows in practice), then 62 random bits.
 *
 * Why not v4: every table's `id` has a UNIQUE index. Random keys land on random leaves of that
 * index, so one transaction of a few thousand rows rewrites nearly every leaf of it, and with
 * SQLCipher each rewritten page costs an AES + HMAC-SHA512 at commit and a decryption and
 * re-encryption at checkpoint. Time-ordered ids append to the index instead (bulk import of
 * 100,000 messages: a quarter fewer bytes written). The id is still opaque to callers; what it
 * adds is its creation millisecond, which the row's `created_at` / `at` already holds.
 *
 * Ids are strictly increasing within the process (the one vault worker is the only writer):
 * if the clock steps back or the counter runs out, the last millisecond is carried forward.
 */
let lastMs = 0;
let counter = 0;

export function newRecordId(): string {
  const bytes = randomBytes(16);
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    counter = (((bytes[6] as number) << 8) | (bytes[7] as number)) & 0x7ff;
  } else {
    counter++;
    if (counter > 0xfff) {
      lastMs++;
      counter = (((bytes[6] as number) << 8) | (bytes[7] as number)) & 0x7ff;
    }
    ms = lastMs;
  }
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
