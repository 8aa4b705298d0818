import { beforeAll, describe, expect, it } from 'vitest';
import { flip, must } from '../../../../tests/helpers/must';
import { concat, u32be } from '../../../../shared/encoding/bytes';
import { fromHex } from '../../../../shared/encoding/hex';
import { type Sodium, loadSodium } from '../../vault';
import {
  assembleEnvelope,
  type DeviceKeys,
  ENVELOPE_CHUNK_SIZE,
  EnvelopeError,
  type EnvelopeErrorCode,
  type EnvelopeRecipient,
  type OpenContext,
  openEnvelope,
  parseEnvelopeFrame,
  peekEnvelopeHeader,
  type PrekeySecret,
  sealEnvelope,
  type SealInput,
  type DevicePrekey,
  streamAssociatedData,
  unwrapContentKey,
} from '.';
import { DEFAULT_PREKEY_POLICY, generateDeviceKeys, generatePrekey, planPrekeyRotation } from '../prekeys';

let sodium: Sodium;
beforeAll(async () => {
  sodium = await loadSodium();
});

const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
const DAY = 24 * 60 * 60 * 1000;

interface Device {
  keys: DeviceKeys;
  prekeys: PrekeySecret[];
  signed: DevicePrekey;
}

function device(now = T0): Device {
  const keys = generateDeviceKeys(sodium);
  const { secret, signed } = generatePrekey(sodium, keys, now);
  return { keys, prekeys: [secret], signed };
}

function recipient(d: Device): EnvelopeRecipient {
  return { deviceId: d.keys.deviceId, signPublicKey: d.keys.signPublicKey, prekey: d.signed };
}

type Directory = Map<string, { signPublicKey: Uint8Array; revoked: boolean }>;

function directoryOf(...devices: Device[]): Directory {
  return new Map(
    devices.map((d) => [d.keys.deviceId, { signPublicKey: d.keys.signPublicKey, revoked: false }]),
  );
}

function ctxFor(me: Device, directory: Directory, claimedSender?: string): OpenContext {
  return {
    recipientDeviceId: me.keys.deviceId,
    prekeySecret: (id) => me.prekeys.find((p) => p.prekeyId === id),
    senderKey: (id) => directory.get(id),
    ...(claimedSender !== undefined ? { claimedSender } : {}),
  };
}

function payloadOf(size: number): Uint8Array {
  // Deterministic, not all zero, and different in every chunk (so a reorder is a real change).
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + (i >> 16) * 7 + 1) & 0xff;
  return out;
}

function seal(sender: Device, to: Device[], payload: Uint8Array, extra: Partial<SealInput> = {}): Uint8Array {
  return sealEnvelope(sodium, {
    sender: sender.keys,
    envelopeId: 'env_0001-test',
    seq: 7,
    createdAt: T0 + 1000,
    kind: 'document',
    recipients: to.map(recipient),
    payload,
    ...extra,
  });
}

/** Runs `open` and returns the EnvelopeError code; fails the test if it returned anything. */
function codeOf(open: () => unknown): EnvelopeErrorCode {
  let returned: unknown;
  try {
    returned = open();
  } catch (e) {
    expect(e).toBeInstanceOf(EnvelopeError);
    return (e as EnvelopeError).code;
  }
  expect.fail(`expected an EnvelopeError, got a result (${typeof returned})`);
}

/** The signed head with the header's sender device id replaced. */
function withSender(bytes: Uint8Array, deviceId: string): Uint8Array {
  const frame = parseEnvelopeFrame(bytes);
  const head = bytes.slice(0, frame.bodyStart);
  head.set(fromHex(deviceId), senderOffset(frame.header.envelopeId));
  return head;
}

/** Offsets in the header (fixed layout, see envelope.ts `encodeHeader`). */
function senderOffset(envelopeId: string): number {
  return 7 + 4 + 1 + 1 + envelopeId.length;
}

describe('envelope round trip', () => {
  const sizes = [0, 1, ENVELOPE_CHUNK_SIZE, ENVELOPE_CHUNK_SIZE + 1, 5 * 1024 * 1024];
  for (const recipients of [1, 3]) {
    for (const size of sizes) {
      it(`${recipients} recipient(s), ${size} bytes: each opens with its own prekey`, () => {
        const alice = device();
        const to = Array.from({ length: recipients }, () => device());
        const outsider = device();
        const dir = directoryOf(alice, ...to, outsider);
        const payload = payloadOf(size);
        const bytes = seal(alice, to, payload);
        expect(bytes.length).toBeGreaterThan(size);
        for (const r of to) {
          const opened = openEnvelope(sodium, bytes, ctxFor(r, dir, alice.keys.deviceId));
          expect(opened.payload.length).toBe(size);
          expect(Buffer.from(opened.payload).equals(Buffer.from(payload))).toBe(true);
          expect(opened.header).toMatchObject({
            version: 1,
            envelopeId: 'env_0001-test',
            senderDeviceId: alice.keys.deviceId,
            seq: 7,
            createdAt: T0 + 1000,
            kind: 'document',
            payloadSize: size,
            chunkSize: ENVELOPE_CHUNK_SIZE,
            recipients: to.map((d) => d.keys.deviceId),
          });
          // Sealed to the prekey, never to the long-term box key.
          expect(opened.header.wraps.find((w) => w.deviceId === r.keys.deviceId)?.prekeyId).toBe(
            r.signed.prekeyId,
          );
        }
        expect(codeOf(() => openEnvelope(sodium, bytes, ctxFor(outsider, dir)))).toBe(
          'E_ENVELOPE_NOT_FOR_ME',
        );
        // The sender is not a recipient of its own envelope unless it says so.
        expect(codeOf(() => openEnvelope(sodium, bytes, ctxFor(alice, dir)))).toBe('E_ENVELOPE_NOT_FOR_ME');
      });
    }
  }

  it('uses a fresh content key and ephemeral key per envelope', () => {
    const alice = device();
    const bob = device();
    const a = peekEnvelopeHeader(seal(alice, [bob], payloadOf(10)));
    const b = peekEnvelopeHeader(seal(alice, [bob], payloadOf(10)));
    expect(Buffer.from(a.ephemeralPublicKey).equals(Buffer.from(b.ephemeralPublicKey))).toBe(false);
    expect(Buffer.from(must(a.wraps[0]).wrappedKey).equals(Buffer.from(must(b.wraps[0]).wrappedKey))).toBe(
      false,
    );
  });

  it('peekEnvelopeHeader reads the header from the first bytes alone, unauthenticated', () => {
    const alice = device();
    const bob = device();
    const bytes = seal(alice, [bob], payloadOf(3 * ENVELOPE_CHUNK_SIZE), { kind: 'message', seq: 42 });
    const frame = parseEnvelopeFrame(bytes);
    const head = peekEnvelopeHeader(bytes.subarray(0, frame.bodyStart));
    expect(head).toEqual(frame.header);
    expect(head).toMatchObject({ kind: 'message', seq: 42, senderDeviceId: alice.keys.deviceId });
    expect(codeOf(() => peekEnvelopeHeader(bytes.subarray(0, frame.bodyStart - 1)))).toBe(
      'E_ENVELOPE_MALFORMED',
    );
  });
});

describe('envelope attacks', () => {
  let alice: Device, bob: Device, carol: Device, dave: Device, mallory: Device;
  let dir: Directory;
  let bytes: Uint8Array;
  const payload = payloadOf(3 * ENVELOPE_CHUNK_SIZE + 5000); // 4 chunks

  beforeAll(() => {
    alice = device();
    bob = device();
    carol = device();
    dave = device();
    mallory = device(); // a valid, enrolled device that is not a recipient
    dir = directoryOf(alice, bob, carol, dave, mallory);
    bytes = seal(alice, [bob, carol, dave], payload);
  });

  /** `claimed`: the sender the relay names (default Alice); null for no claim. */
  const openAsBob = (b: Uint8Array, claimed: string | null = alice.keys.deviceId) =>
    openEnvelope(sodium, b, ctxFor(bob, dir, claimed ?? undefined));

  it('a flipped byte in every region fails with that region’s code and never returns plaintext', () => {
    const frame = parseEnvelopeFrame(bytes);
    const idLen = frame.header.envelopeId.length;
    const h = 11; // header start: magic (6) + version (1) + header length (4)
    const sender = h + 2 + idLen;
    const seq = sender + 16;
    const eph = seq + 8 + 8 + 8 + 4;
    const count = eph + 32;
    const wraps = count + 1;
    const MS: EnvelopeErrorCode[] = ['E_ENVELOPE_MALFORMED', 'E_ENVELOPE_SIGNATURE'];
    const regions: { name: string; start: number; end: number; codes: EnvelopeErrorCode[] }[] = [
      { name: 'magic', start: 0, end: 6, codes: ['E_ENVELOPE_MALFORMED'] },
      { name: 'version', start: 6, end: 7, codes: ['E_ENVELOPE_VERSION'] },
      { name: 'header length', start: 7, end: 11, codes: ['E_ENVELOPE_MALFORMED'] },
      { name: 'kind', start: h, end: h + 1, codes: MS },
      { name: 'envelope id length', start: h + 1, end: h + 2, codes: ['E_ENVELOPE_MALFORMED'] },
      { name: 'envelope id', start: h + 2, end: sender, codes: MS },
      { name: 'sender id', start: sender, end: seq, codes: ['E_ENVELOPE_SENDER_MISMATCH'] },
      { name: 'seq, createdAt, payloadSize, chunkSize', start: seq, end: eph, codes: MS },
      { name: 'ephemeral key', start: eph, end: count, codes: ['E_ENVELOPE_SIGNATURE'] },
      { name: 'recipient count', start: count, end: count + 1, codes: ['E_ENVELOPE_MALFORMED'] },
      ...[0, 1, 2].map((i) => ({
        name: `recipient entry ${i}`,
        start: wraps + i * 104,
        end: wraps + (i + 1) * 104,
        codes: ['E_ENVELOPE_SIGNATURE'] as EnvelopeErrorCode[],
      })),
      {
        name: 'secretstream header',
        start: frame.bodyStart,
        end: frame.bodyStart + 24,
        codes: ['E_ENVELOPE_SIGNATURE'],
      },
      ...frame.chunkOffsets.flatMap((off, i) => [
        { name: `chunk ${i} length`, start: off, end: off + 4, codes: MS },
        {
          name: `chunk ${i}`,
          start: off + 4,
          end: off + 4 + must(frame.chunks[i]).length,
          codes: ['E_ENVELOPE_SIGNATURE'] as EnvelopeErrorCode[],
        },
      ]),
      { name: 'signature', start: frame.bodyEnd, end: bytes.length, codes: ['E_ENVELOPE_SIGNATURE'] },
    ];
    expect(wraps + 3 * 104).toBe(frame.bodyStart);
    expect(must(regions.at(-1)).end).toBe(bytes.length);
    let tried = 0;
    for (const region of regions) {
      const span = region.end - region.start;
      const offsets = new Set([region.start, region.end - 1, region.start + (span >> 1)]);
      for (let i = 0; i < 4; i++) offsets.add(region.start + Math.floor(Math.random() * span));
      for (const offset of offsets) {
        for (const mask of [0x01, 0x80, 1 + Math.floor(Math.random() * 255)]) {
          const tampered = bytes.slice();
          flip(tampered, offset, mask);
          const code = codeOf(() => openAsBob(tampered));
          expect(region.codes, `${region.name} at ${offset} ^ ${mask}: ${code}`).toContain(code);
          tried++;
        }
      }
    }
    expect(tried).toBeGreaterThan(150);
    // The untouched envelope still opens: every failure above came from the flip.
    expect(openAsBob(bytes).payload.length).toBe(payload.length);
  });

  it('a flipped sender id without a relay claim is an unknown sender', () => {
    const tampered = bytes.slice();
    flip(tampered, senderOffset('env_0001-test'), 1);
    expect(codeOf(() => openAsBob(tampered, null))).toBe('E_ENVELOPE_SENDER_UNKNOWN');
  });

  it('truncated or garbage bytes are malformed, at every length of the head', () => {
    const frame = parseEnvelopeFrame(bytes);
    for (let n = 0; n < frame.bodyStart + 200; n++) {
      const code = codeOf(() => openAsBob(bytes.subarray(0, n)));
      expect(['E_ENVELOPE_MALFORMED', 'E_ENVELOPE_SIGNATURE']).toContain(code);
      if (n < frame.bodyStart + 24 + 64) expect(code).toBe('E_ENVELOPE_MALFORMED');
    }
    for (const cut of [1, 17, 64, 1000]) {
      expect(['E_ENVELOPE_MALFORMED', 'E_ENVELOPE_SIGNATURE']).toContain(
        codeOf(() => openAsBob(bytes.subarray(0, bytes.length - cut))),
      );
    }
    for (let i = 0; i < 50; i++) {
      const junk = sodium.randombytes_buf(1 + Math.floor(Math.random() * 4000));
      expect(codeOf(() => openAsBob(junk))).toBe('E_ENVELOPE_MALFORMED');
      const prefixed = concat([bytes.subarray(0, 7), junk]);
      expect(codeOf(() => openAsBob(prefixed))).toBe('E_ENVELOPE_MALFORMED');
    }
  });

  it('the relay claiming another sender is a mismatch', () => {
    expect(codeOf(() => openAsBob(bytes, mallory.keys.deviceId))).toBe('E_ENVELOPE_SENDER_MISMATCH');
  });

  it('a valid device re-signing someone else’s envelope as its own gains nothing', () => {
    const frame = parseEnvelopeFrame(bytes);
    const forged = assembleEnvelope(
      sodium,
      mallory.keys.signSecretKey,
      withSender(bytes, mallory.keys.deviceId),
      frame.streamHeader,
      frame.chunks,
    );
    // The relay says Alice sent it: the signed header says Mallory.
    expect(codeOf(() => openAsBob(forged, alice.keys.deviceId))).toBe('E_ENVELOPE_SENDER_MISMATCH');
    // The relay (honestly) says Mallory: the signature verifies, but the content key and the
    // stream are bound to Alice as sender, so Mallory cannot claim Alice's content.
    expect(codeOf(() => openAsBob(forged, mallory.keys.deviceId))).toBe('E_ENVELOPE_DECRYPT');
    expect(codeOf(() => openAsBob(forged, null))).toBe('E_ENVELOPE_DECRYPT');
  });

  it('an envelope made entirely by the relay with its own keys is refused', () => {
    const relay = device(); // not in the directory
    const fake = seal(relay, [bob], new TextEncoder().encode('transfer the funds'));
    expect(codeOf(() => openAsBob(fake, relay.keys.deviceId))).toBe('E_ENVELOPE_SENDER_UNKNOWN');
    expect(codeOf(() => openAsBob(fake, null))).toBe('E_ENVELOPE_SENDER_UNKNOWN');
    // The same, claiming to be Alice (a known device) but signed with the relay's key.
    const frame = parseEnvelopeFrame(fake);
    const asAlice = assembleEnvelope(
      sodium,
      relay.keys.signSecretKey,
      withSender(fake, alice.keys.deviceId),
      frame.streamHeader,
      frame.chunks,
    );
    expect(codeOf(() => openAsBob(asAlice, alice.keys.deviceId))).toBe('E_ENVELOPE_SIGNATURE');
    expect(codeOf(() => openAsBob(asAlice, null))).toBe('E_ENVELOPE_SIGNATURE');
  });

  it('a directory entry whose key is not the sender id’s is an unknown sender', () => {
    const wrong: Directory = new Map(dir);
    wrong.set(alice.keys.deviceId, { signPublicKey: mallory.keys.signPublicKey, revoked: false });
    expect(codeOf(() => openEnvelope(sodium, bytes, ctxFor(bob, wrong)))).toBe('E_ENVELOPE_SENDER_UNKNOWN');
  });

  it('a revoked sender is refused', () => {
    const revoked: Directory = new Map(dir);
    revoked.set(alice.keys.deviceId, { signPublicKey: alice.keys.signPublicKey, revoked: true });
    expect(codeOf(() => openEnvelope(sodium, bytes, ctxFor(bob, revoked)))).toBe('E_ENVELOPE_SENDER_REVOKED');
  });

  it('reordered, dropped and truncated chunks: caught by the signature, and by the stream when re-signed', () => {
    const frame = parseEnvelopeFrame(bytes);
    const head = bytes.subarray(0, frame.bodyStart);
    const [c0, c1, c2, c3] = frame.chunks as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const variants: { name: string; chunks: Uint8Array[]; resigned: EnvelopeErrorCode }[] = [
      { name: 'reordered', chunks: [c0, c2, c1, c3], resigned: 'E_ENVELOPE_DECRYPT' },
      { name: 'dropped middle chunk', chunks: [c0, c1, c3], resigned: 'E_ENVELOPE_DECRYPT' },
      { name: 'dropped final chunk', chunks: [c0, c1, c2], resigned: 'E_ENVELOPE_TRUNCATED' },
      { name: 'no chunks at all', chunks: [], resigned: 'E_ENVELOPE_TRUNCATED' },
      { name: 'chunk after final', chunks: [c0, c1, c2, c3, c3], resigned: 'E_ENVELOPE_DECRYPT' },
    ];
    for (const v of variants) {
      // What the relay could do: rebuild the framing; it cannot sign as Alice.
      const body = concat([frame.streamHeader, ...v.chunks.flatMap((c) => [u32be(c.length), c])]);
      const relayMade = concat([head, body, frame.signature]);
      expect(
        codeOf(() => openAsBob(relayMade)),
        v.name,
      ).toBe('E_ENVELOPE_SIGNATURE');
      // Defence in depth: even properly signed by the sender, the stream itself refuses it.
      const resigned = assembleEnvelope(sodium, alice.keys.signSecretKey, head, frame.streamHeader, v.chunks);
      expect(
        codeOf(() => openAsBob(resigned)),
        v.name,
      ).toBe(v.resigned);
    }
  });

  it('a properly signed stream without a FINAL tag is truncated (the FINAL check itself)', () => {
    const frame = parseEnvelopeFrame(bytes);
    const head = bytes.subarray(0, frame.bodyStart);
    // Test-only path: recover the content key as Bob, re-encrypt the whole payload under the
    // same header with TAG_MESSAGE everywhere, and sign it with Alice's key.
    const wrap = must(frame.header.wraps.find((w) => w.deviceId === bob.keys.deviceId));
    const key = unwrapContentKey(
      sodium,
      frame.header,
      wrap,
      must(bob.prekeys[0]).secretKey,
      bob.signed.publicKey,
    );
    const ad = streamAssociatedData(sodium, head);
    const build = (tagFor: (i: number, n: number) => number, parts: number) => {
      const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
      const size = Math.ceil(payload.length / parts);
      const chunks = Array.from({ length: parts }, (_, i) =>
        sodium.crypto_secretstream_xchacha20poly1305_push(
          state,
          payload.subarray(i * size, (i + 1) * size),
          ad,
          tagFor(i, parts),
        ),
      );
      return assembleEnvelope(sodium, alice.keys.signSecretKey, head, header, chunks);
    };
    const MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    const FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    // Sanity: the same path with a FINAL tag opens, so only the tag differs below.
    expect(openAsBob(build((i, n) => (i === n - 1 ? FINAL : MESSAGE), 4)).payload).toEqual(payload);
    expect(codeOf(() => openAsBob(build(() => MESSAGE, 4)))).toBe('E_ENVELOPE_TRUNCATED');
    // A FINAL before the end: the chunk after it is refused.
    expect(codeOf(() => openAsBob(build((i) => (i === 1 ? FINAL : MESSAGE), 4)))).toBe('E_ENVELOPE_DECRYPT');
    // Other tags (REKEY changes the state; PUSH is unused) are refused.
    const REKEY = sodium.crypto_secretstream_xchacha20poly1305_TAG_REKEY;
    expect(codeOf(() => openAsBob(build((i, n) => (i === n - 1 ? FINAL : REKEY), 4)))).toBe(
      'E_ENVELOPE_DECRYPT',
    );
    sodium.memzero(key);
  });

  it('refuses to seal to an unsigned, ill-signed, substituted or stale prekey', () => {
    const base = recipient(bob);
    const cases: { name: string; r: EnvelopeRecipient; code: EnvelopeErrorCode }[] = [
      {
        name: 'zero signature',
        r: { ...base, prekey: { ...base.prekey, signature: new Uint8Array(64) } },
        code: 'E_ENVELOPE_SIGNATURE',
      },
      {
        name: 'signed by another device',
        r: {
          ...base,
          prekey: generatePrekey(sodium, { ...mallory.keys, deviceId: bob.keys.deviceId }, T0).signed,
        },
        code: 'E_ENVELOPE_SIGNATURE',
      },
      {
        name: 'relay substituted its own key',
        r: { ...base, prekey: { ...base.prekey, publicKey: sodium.crypto_box_keypair().publicKey } },
        code: 'E_ENVELOPE_SIGNATURE',
      },
      {
        name: 'createdAt changed',
        r: { ...base, prekey: { ...base.prekey, createdAt: base.prekey.createdAt + 1 } },
        code: 'E_ENVELOPE_SIGNATURE',
      },
      { name: 'another device’s prekey', r: { ...base, prekey: carol.signed }, code: 'E_ENVELOPE_SIGNATURE' },
      {
        name: 'key not the device id’s',
        r: { ...base, signPublicKey: mallory.keys.signPublicKey },
        code: 'E_ENVELOPE_SIGNATURE',
      },
      {
        name: 'stale (older than rotate + grace)',
        r: { ...base, prekey: generatePrekey(sodium, bob.keys, T0 - 22 * DAY).signed },
        code: 'E_ENVELOPE_PREKEY_STALE',
      },
      {
        name: 'dated in the future',
        r: { ...base, prekey: generatePrekey(sodium, bob.keys, T0 + 2 * DAY).signed },
        code: 'E_ENVELOPE_PREKEY_STALE',
      },
    ];
    for (const c of cases) {
      const code = codeOf(() =>
        sealEnvelope(sodium, {
          sender: alice.keys,
          envelopeId: 'refused-01',
          seq: 1,
          createdAt: T0,
          kind: 'message',
          recipients: [recipient(carol), c.r],
          payload: payloadOf(10),
        }),
      );
      expect(code, c.name).toBe(c.code);
    }
  });

  it('refuses bad seal input', () => {
    const ok: SealInput = {
      sender: alice.keys,
      envelopeId: 'input-check',
      seq: 1,
      createdAt: T0,
      kind: 'message',
      recipients: [recipient(bob)],
      payload: payloadOf(1),
    };
    const bad: Partial<SealInput>[] = [
      { envelopeId: 'short' },
      { envelopeId: 'has space!' },
      { seq: 0 },
      { seq: 1.5 },
      { createdAt: -1 },
      { recipients: [] },
      { recipients: [recipient(bob), recipient(bob)] },
      { recipients: Array.from({ length: 65 }, () => recipient(bob)) },
      { sender: { ...alice.keys, deviceId: bob.keys.deviceId } },
      { kind: 'toString' as SealInput['kind'] },
    ];
    expect(sealEnvelope(sodium, ok).length).toBeGreaterThan(0);
    for (const b of bad) {
      expect(
        codeOf(() => sealEnvelope(sodium, { ...ok, ...b })),
        JSON.stringify(Object.keys(b)),
      ).toBe('E_ENVELOPE_MALFORMED');
    }
  });
});

describe('forward secrecy', () => {
  it('once the prekey secret is deleted by rotation, the device’s remaining keys do not open recorded traffic', () => {
    const alice = device();
    const bob = device(T0);
    const dir = directoryOf(alice, bob);
    const p1 = must(bob.prekeys[0]);
    const secret = payloadOf(5000);
    // The relay records this envelope, sealed to Bob's prekey P1.
    const recorded = seal(alice, [bob], secret, { createdAt: T0 + 1000 });
    expect(openEnvelope(sodium, recorded, ctxFor(bob, dir)).payload).toEqual(secret);

    // Bob's device runs its rotation plan over time.
    type Held = { prekeyId: string; createdAt: number; retiredAt?: number };
    let held: Held[] = [{ prekeyId: p1.prekeyId, createdAt: p1.createdAt }];
    const step = (now: number) => {
      const plan = planPrekeyRotation(held, now);
      held = held.filter((h) => !plan.deleteIds.includes(h.prekeyId));
      bob.prekeys = bob.prekeys.filter((p) => !plan.deleteIds.includes(p.prekeyId));
      if (plan.rotate) {
        held = held.map((h) => (h.retiredAt === undefined ? { ...h, retiredAt: now } : h));
        const next = generatePrekey(sodium, bob.keys, now);
        bob.prekeys.push(next.secret);
        bob.signed = next.signed;
        held.push({ prekeyId: next.secret.prekeyId, createdAt: now });
      }
    };
    for (let now = T0; now <= T0 + DEFAULT_PREKEY_POLICY.rotateEveryMs; now += DAY) step(now);
    // Rotated at day 7: P1 is retired but still held (grace), so in-flight mail still opens.
    expect(held.find((h) => h.prekeyId === p1.prekeyId)?.retiredAt).toBe(T0 + 7 * DAY);
    expect(openEnvelope(sodium, recorded, ctxFor(bob, dir)).payload).toEqual(secret);
    for (let now = T0 + 8 * DAY; now <= T0 + 22 * DAY; now += DAY) step(now);
    // Retired more than 14 days ago: P1's secret is gone.
    expect(bob.prekeys.map((p) => p.prekeyId)).not.toContain(p1.prekeyId);
    expect(held.map((h) => h.prekeyId)).not.toContain(p1.prekeyId);

    // A later compromise of Bob's device yields its long-term keys and current prekey only.
    expect(codeOf(() => openEnvelope(sodium, recorded, ctxFor(bob, dir)))).toBe('E_ENVELOPE_PREKEY_UNKNOWN');
    const header = peekEnvelopeHeader(recorded);
    const wrap = must(header.wraps[0]);
    const current = must(bob.prekeys.at(-1));
    const attempts: [string, Uint8Array, Uint8Array][] = [
      ['long-term box key', bob.keys.boxSecretKey, bob.keys.boxPublicKey],
      ['long-term box key, P1 public key', bob.keys.boxSecretKey, p1.publicKey],
      ['current prekey', current.secretKey, current.publicKey],
      ['current prekey secret, P1 public key', current.secretKey, p1.publicKey],
      ['Ed25519 secret as X25519', bob.keys.signSecretKey.subarray(0, 32), p1.publicKey],
      [
        'Ed25519 key converted to X25519',
        sodium.crypto_sign_ed25519_sk_to_curve25519(bob.keys.signSecretKey),
        p1.publicKey,
      ],
    ];
    for (const [name, sk, pk] of attempts) {
      expect(
        codeOf(() => unwrapContentKey(sodium, header, wrap, sk, pk)),
        name,
      ).toBe('E_ENVELOPE_DECRYPT');
    }
    // Pretending the current prekey is P1 (same id) fails at the unwrap too.
    const impostor: OpenContext = {
      ...ctxFor(bob, dir),
      prekeySecret: (id) => ({ ...current, prekeyId: id }),
    };
    expect(codeOf(() => openEnvelope(sodium, recorded, impostor))).toBe('E_ENVELOPE_DECRYPT');
    // And the real P1 secret would still have opened it: the failures are the deletion's doing.
    const k = unwrapContentKey(sodium, header, wrap, p1.secretKey, p1.publicKey);
    expect(k.length).toBe(32);
  });
});
