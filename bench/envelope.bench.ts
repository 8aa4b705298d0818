import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  ENVELOPE_CHUNK_SIZE,
  openEnvelope,
  sealEnvelope,
  type EnvelopeRecipient,
  type PrekeySecret,
} from '../electron/core/sync/envelope';
import { generateDeviceKeys, generatePrekey } from '../electron/core/sync/prekeys';
import { loadSodium, type Sodium } from '../electron/core/vault/sodium';
import type { Bench, Figure } from './figures';

/**
 * What the envelope format costs per MB over the bare cipher: `sealEnvelope` (1 and 3
 * recipients) and `openEnvelope` against `crypto_secretstream_xchacha20poly1305` push / pull
 * over the same payload in the same 64 KiB chunks, same process, same libsodium build. The
 * envelope adds the key wraps, the chunk framing, a BLAKE2b-256 over the body and an Ed25519
 * signature (open verifies it before decrypting). `EMBASSY_BENCH_ENVELOPE_MB` sets the
 * payload (MiB, default 16). Best of 3 runs each.
 */
const MIB = Number(process.env.EMBASSY_BENCH_ENVELOPE_MB ?? '16');
const SIZE = Math.round(MIB * 1024 * 1024);
const RUNS = 3;

function best(fn: () => void): number {
  let min = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

/** The baseline: one secretstream over `payload` in envelope-sized chunks, ciphertext kept. */
function bareSeal(
  sodium: Sodium,
  payload: Uint8Array,
  key: Uint8Array,
): { header: Uint8Array; chunks: Uint8Array[] } {
  const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < payload.length; at += ENVELOPE_CHUNK_SIZE) {
    const end = Math.min(payload.length, at + ENVELOPE_CHUNK_SIZE);
    const tag =
      end === payload.length
        ? sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
        : sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    chunks.push(
      sodium.crypto_secretstream_xchacha20poly1305_push(state, payload.subarray(at, end), null, tag),
    );
  }
  return { header, chunks };
}

function bareOpen(
  sodium: Sodium,
  sealed: { header: Uint8Array; chunks: Uint8Array[] },
  key: Uint8Array,
): Uint8Array {
  const state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(sealed.header, key);
  const out = new Uint8Array(SIZE);
  let at = 0;
  for (const c of sealed.chunks) {
    const r = sodium.crypto_secretstream_xchacha20poly1305_pull(state, c, null);
    if (!r) throw new Error('bare pull failed');
    out.set(r.message, at);
    at += r.message.length;
  }
  return out;
}

const bench: Bench = async () => {
  const sodium = await loadSodium();
  const payload = new Uint8Array(randomBytes(SIZE));
  const now = Date.now();
  const sender = generateDeviceKeys(sodium);
  const devices = Array.from({ length: 3 }, () => {
    const keys = generateDeviceKeys(sodium);
    const { secret, signed } = generatePrekey(sodium, keys, now);
    return { keys, secret, signed };
  });
  const recipients: EnvelopeRecipient[] = devices.map((d) => ({
    deviceId: d.keys.deviceId,
    signPublicKey: d.keys.signPublicKey,
    prekey: d.signed,
  }));
  const me = devices[0] as (typeof devices)[number];
  const directory = new Map([[sender.deviceId, { signPublicKey: sender.signPublicKey, revoked: false }]]);
  const seal = (n: number) =>
    sealEnvelope(sodium, {
      sender,
      envelopeId: `bench-${n}-${now}`,
      seq: 1,
      createdAt: now,
      kind: 'document',
      recipients: recipients.slice(0, n),
      payload,
    });
  const ctx = {
    recipientDeviceId: me.keys.deviceId,
    prekeySecret: (id: string): PrekeySecret | undefined =>
      id === me.secret.prekeyId ? me.secret : undefined,
    senderKey: (id: string) => directory.get(id),
  };

  const key = sodium.crypto_secretstream_xchacha20poly1305_keygen();
  let bare = bareSeal(sodium, payload, key);
  const bareSealMs = best(() => (bare = bareSeal(sodium, payload, key)));
  const bareOpenMs = best(() => bareOpen(sodium, bare, key));
  let one = seal(1);
  const seal1Ms = best(() => (one = seal(1)));
  let three = seal(3);
  const seal3Ms = best(() => (three = seal(3)));
  const open1Ms = best(() => {
    const o = openEnvelope(sodium, one, ctx);
    if (o.payload.length !== SIZE) throw new Error('open: wrong size');
  });
  const open3Ms = best(() => {
    const o = openEnvelope(sodium, three, ctx);
    if (o.payload.length !== SIZE) throw new Error('open: wrong size');
  });

  const mbps = (ms: number) => SIZE / 1e6 / (ms / 1000);
  const perMb = (ms: number) => ms / (SIZE / 1e6);
  const note = `${MIB} MiB payload, 64 KiB chunks, best of ${RUNS}`;
  const figures: Figure[] = [
    { name: 'bare secretstream push', value: mbps(bareSealMs), unit: 'MB/s', note: `baseline; ${note}` },
    { name: 'bare secretstream pull', value: mbps(bareOpenMs), unit: 'MB/s', note: `baseline; ${note}` },
  ];
  for (const [name, ms, base] of [
    ['sealEnvelope, 1 recipient', seal1Ms, bareSealMs],
    ['sealEnvelope, 3 recipients', seal3Ms, bareSealMs],
    ['openEnvelope (of 1)', open1Ms, bareOpenMs],
    ['openEnvelope (of 3)', open3Ms, bareOpenMs],
  ] as const) {
    figures.push(
      { name, value: mbps(ms), unit: 'MB/s', note },
      { name: `${name}: per MB`, value: perMb(ms), unit: 'ms/MB' },
      {
        name: `${name} / bare`,
        value: ms / base,
        unit: '×',
        note: 'time against the bare secretstream of the same payload, same run',
      },
    );
  }
  return figures;
};

export default bench;
