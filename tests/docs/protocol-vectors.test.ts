import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  authSessionMessage,
  directoryChainMessage,
  directoryMessage,
  prekeyMessage,
  tokenEnrolmentMessage,
} from '../../shared/sync/relay-protocol';
import { deviceIdOf } from '../../shared/sync/device-id';
import { certificateAddress, certificateName } from '../../shared/pki/officer-identity';
import {
  openEnvelope,
  parseEnvelopeFrame,
  streamAssociatedData,
  unwrapContentKey,
} from '../../electron/core/sync/envelope';
import { asPrekeySecretKey } from '../../electron/core/sync/device-keys';
import { decodePayload, encodePayload } from '../../electron/core/sync/payload';
import { safetyNumber, sideDigits, type SafetySide } from '../../electron/core/sync/safety-number';
import { loadSodium, type Sodium } from '../../electron/core/vault/sodium';
import { keyCheckValue, type VaultKey } from '../../electron/core/vault/vault-key';
import { asPassphraseWrapped, type EscrowWrappedVaultKey } from '../../electron/core/vault/key-wrapper';
import { PassphraseWrapperRecord, EscrowWrapperRecord } from '../../electron/core/vault/key-file';
import { createPassphraseWrapper } from '../../electron/core/vault/passphrase-wrapper';
import { openEscrow } from '../../electron/core/vault/escrow-wrapper';
import { keyIdOf, trustPinnedRoot } from '../../electron/core/it-signing';
import { canonicalJson } from '../../shared/encoding/canonical-json';
import { AUDIT_GENESIS, auditCheckpointMessage, auditEntryInput, verifyDeviceLog } from '../../shared/audit';
import { field, markdownDocs, vectorsOf, type Vector } from './markdown-docs';

/**
 * The test vectors of docs/protocols/ recomputed with the code: a specification whose vector
 * no longer holds (or a code change that breaks a documented format) fails here. Every vector
 * in the docs must have a check below; an unknown name fails too.
 */

let sodium: Sodium;
beforeAll(async () => {
  sodium = await loadSodium();
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const sha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());
const utf8 = (t: string) => new Uint8Array(Buffer.from(t, 'utf8'));
const signPair = (seedHex: string) => sodium.crypto_sign_seed_keypair(bytes(seedHex));

const checks: Record<string, (v: Vector) => void | Promise<void>> = {
  'it-signed-root': (v) => {
    const pair = signPair(field(v, 'sign-seed'));
    expect(Buffer.from(pair.publicKey).toString('base64')).toBe(field(v, 'public-key'));
    expect(keyIdOf(sodium, pair.publicKey)).toBe(field(v, 'keyid'));
    const signed = field(v, 'signed');
    expect(canonicalJson(JSON.parse(signed))).toBe(signed);
    const message = utf8(`embassy.it-signed.v1\n${signed}`);
    expect(Buffer.from(sodium.crypto_sign_detached(message, pair.privateKey)).toString('base64')).toBe(
      field(v, 'sig'),
    );
    const doc = {
      signed: JSON.parse(signed),
      signatures: [{ keyid: field(v, 'keyid'), sig: field(v, 'sig') }],
    };
    expect(trustPinnedRoot(sodium, doc).payload.version).toBe(1);
  },
  'audit-chain': (v) => {
    const pair = signPair(field(v, 'sign-seed'));
    const deviceId = field(v, 'device-id');
    expect(deviceIdOf(pair.publicKey, sha256)).toBe(deviceId);
    const at1 = Number(field(v, 'at-1'));
    const at2 = Number(field(v, 'at-2'));
    const h1 = sodium.crypto_generichash(
      32,
      auditEntryInput(AUDIT_GENESIS, 1, at1, 'vault.unlocked', {}),
      null,
    );
    expect(hex(h1)).toBe(field(v, 'hash-1'));
    const h2 = sodium.crypto_generichash(
      32,
      auditEntryInput(h1, 2, at2, 'vault.locked', { reason: 'idle' }),
      null,
    );
    expect(hex(h2)).toBe(field(v, 'hash-2'));
    const cpAt = Number(field(v, 'checkpoint-at'));
    const message = auditCheckpointMessage(deviceId, 2, h2, cpAt);
    expect(Buffer.from(sodium.crypto_sign_detached(message, pair.privateKey)).toString('base64')).toBe(
      field(v, 'checkpoint-sig'),
    );
    const entry = (
      seq: number,
      at: number,
      kind: 'vault.unlocked' | 'vault.locked',
      refs: object,
      prev: Uint8Array,
      h: Uint8Array,
    ) => ({ seq, at, kind, refs, prev: hex(prev), hash: hex(h) });
    const report = verifyDeviceLog(
      deviceId,
      pair.publicKey,
      [
        {
          v: 1,
          deviceId,
          entries: [
            entry(1, at1, 'vault.unlocked', {}, AUDIT_GENESIS, h1),
            entry(2, at2, 'vault.locked', { reason: 'idle' }, h1, h2),
          ],
          checkpoints: [{ count: 2, head: hex(h2), at: cpAt, sig: field(v, 'checkpoint-sig') }],
        },
      ],
      {
        hash: (i) => sodium.crypto_generichash(32, i, null),
        verify: (sig, msg, pk) => sodium.crypto_sign_verify_detached(sig, msg, pk),
      },
    );
    expect(report).toMatchObject({ ok: true, entries: 2, lastCheckpoint: { count: 2 } });
  },
  'device-id': (v) => {
    const pair = signPair(field(v, 'sign-seed'));
    expect(hex(pair.publicKey)).toBe(field(v, 'sign-public-key'));
    expect(deviceIdOf(pair.publicKey, sha256)).toBe(field(v, 'device-id'));
  },
  'prekey-signature': (v) => {
    const pair = signPair(field(v, 'sign-seed'));
    expect(deviceIdOf(pair.publicKey, sha256)).toBe(field(v, 'device-id'));
    const message = prekeyMessage(
      field(v, 'device-id'),
      field(v, 'prekey-id'),
      bytes(field(v, 'prekey-public-key')),
      Number(field(v, 'created-at')),
    );
    expect(hex(message)).toBe(field(v, 'message'));
    expect(hex(sodium.crypto_sign_detached(message, pair.privateKey))).toBe(field(v, 'signature'));
  },
  'token-enrolment-message': (v) => {
    const message = tokenEnrolmentMessage(
      bytes(field(v, 'sign-public-key')),
      bytes(field(v, 'box-public-key')),
      field(v, 'name'),
      field(v, 'department'),
    );
    expect(hex(message)).toBe(field(v, 'message'));
  },
  'certificate-officer': (v) => {
    const subject = `C=VN\nCN=${field(v, 'common-name')}`;
    const address = certificateAddress(field(v, 'subject-alt-name'), subject);
    expect(address).toBe(field(v, 'address'));
    expect(certificateName(subject, address ?? '')).toBe(field(v, 'name'));
  },
  'directory-message': (v) => {
    expect(hex(directoryMessage(utf8(field(v, 'directory'))))).toBe(field(v, 'message'));
  },
  'directory-chain': (v) => {
    const digest = hex(sha256(utf8(field(v, 'directory'))));
    expect(digest).toBe(field(v, 'digest'));
    const link1 = hex(sha256(directoryChainMessage(null, 1, digest)));
    expect(link1).toBe(field(v, 'link-1'));
    expect(hex(sha256(directoryChainMessage(link1, 2, digest)))).toBe(field(v, 'link-2'));
  },
  'auth-session-signature': (v) => {
    const pair = signPair(field(v, 'sign-seed'));
    expect(deviceIdOf(pair.publicKey, sha256)).toBe(field(v, 'device-id'));
    const message = authSessionMessage(
      field(v, 'device-id'),
      field(v, 'certificate-sha256'),
      bytes(field(v, 'nonce')),
    );
    expect(hex(message)).toBe(field(v, 'message'));
    expect(hex(sodium.crypto_sign_detached(message, pair.privateKey))).toBe(field(v, 'signature'));
  },
  'envelope-open': (v) => {
    const sender = signPair(field(v, 'sender-sign-seed'));
    const recipient = signPair(field(v, 'recipient-sign-seed'));
    expect(deviceIdOf(sender.publicKey, sha256)).toBe(field(v, 'sender-device-id'));
    expect(deviceIdOf(recipient.publicKey, sha256)).toBe(field(v, 'recipient-device-id'));
    const envelope = bytes(field(v, 'envelope'));
    const secretKey = bytes(field(v, 'prekey-secret-key'));
    const prekey = {
      prekeyId: field(v, 'prekey-id'),
      secretKey: asPrekeySecretKey(secretKey.slice()),
      publicKey: sodium.crypto_scalarmult_base(secretKey),
      createdAt: 0,
    };
    const frame = parseEnvelopeFrame(envelope);
    const wrap = frame.header.wraps[0];
    if (!wrap) throw new Error('the vector has no wrap');
    const contentKey = unwrapContentKey(sodium, frame.header, wrap, secretKey, prekey.publicKey);
    expect(hex(contentKey)).toBe(field(v, 'content-key'));
    expect(hex(streamAssociatedData(sodium, envelope.subarray(0, frame.bodyStart)))).toBe(
      field(v, 'stream-ad'),
    );
    const opened = openEnvelope(sodium, envelope, {
      recipientDeviceId: field(v, 'recipient-device-id'),
      claimedSender: field(v, 'sender-device-id'),
      senderKey: (id) =>
        id === field(v, 'sender-device-id') ? { signPublicKey: sender.publicKey, revoked: false } : undefined,
      prekeySecret: (id) => (id === prekey.prekeyId ? prekey : undefined),
    });
    expect(opened.header.envelopeId).toBe(field(v, 'envelope-id'));
    expect(opened.header.seq).toBe(Number(field(v, 'seq')));
    expect(opened.header.createdAt).toBe(Number(field(v, 'created-at')));
    expect(hex(opened.payload)).toBe(field(v, 'payload'));
  },
  'sync-payload-message': (v) => {
    const payload = {
      kind: 'message' as const,
      title: field(v, 'title'),
      text: field(v, 'text'),
      sentAt: Number(field(v, 'sent-at')),
      senderAddress: field(v, 'sender-address'),
      senderName: field(v, 'sender-name'),
    };
    expect(hex(encodePayload(payload))).toBe(field(v, 'payload'));
    expect(decodePayload(bytes(field(v, 'payload')))).toEqual(payload);
  },
  'safety-number': (v) => {
    const side = (p: 'a' | 'b'): SafetySide => ({
      address: field(v, `${p}-address`),
      devices: [
        {
          deviceId: field(v, `${p}-device-id`),
          signPublicKey: bytes(field(v, `${p}-sign-public-key`)),
          boxPublicKey: bytes(field(v, `${p}-box-public-key`)),
          certificate: bytes(field(v, `${p}-certificate`)),
        },
      ],
    });
    for (const p of ['a', 'b'] as const) {
      const s = side(p);
      expect(deviceIdOf(s.devices[0]?.signPublicKey ?? new Uint8Array(), sha256)).toBe(
        field(v, `${p}-device-id`),
      );
      expect(sideDigits(sodium, s)).toBe(field(v, `${p}-digits`));
    }
    expect(safetyNumber(sodium, side('a'), side('b'))).toBe(field(v, 'safety-number'));
    expect(safetyNumber(sodium, side('b'), side('a'))).toBe(field(v, 'safety-number'));
  },
  kcv: (v) => {
    const key = bytes(field(v, 'vault-key')) as VaultKey;
    const kcv = keyCheckValue(sodium, key, field(v, 'vault-id'));
    expect(sodium.to_base64(kcv, sodium.base64_variants.ORIGINAL)).toBe(field(v, 'kcv'));
  },
  'passphrase-wrapper': async (v) => {
    const record = PassphraseWrapperRecord.parse(JSON.parse(field(v, 'record')));
    const key = await createPassphraseWrapper(sodium).unwrap(
      asPassphraseWrapped(record),
      utf8(field(v, 'passphrase').normalize('NFC')),
      { vaultId: field(v, 'vault-id') },
    );
    expect(hex(key)).toBe(field(v, 'vault-key'));
  },
  'escrow-wrapper': (v) => {
    const record = EscrowWrapperRecord.parse(JSON.parse(field(v, 'record'))) as EscrowWrappedVaultKey;
    const privateKey = bytes(field(v, 'recovery-secret-key'));
    const publicKey = sodium.crypto_scalarmult_base(privateKey);
    expect(record.recipient.keyId).toBe(hex(sodium.crypto_generichash(16, publicKey, null)));
    const opened = openEscrow(sodium, record, { publicKey, privateKey });
    expect(opened.vaultId).toBe(field(v, 'vault-id'));
    expect(hex(opened.key)).toBe(field(v, 'vault-key'));
  },
};

const vectors = markdownDocs()
  .filter((f) => f.startsWith('docs/protocols/'))
  .flatMap(vectorsOf);

describe('protocol test vectors (docs/protocols)', () => {
  it('the specifications carry vectors, each with a check', () => {
    expect(vectors.length).toBeGreaterThan(0);
    const unchecked = vectors.filter((v) => !(v.name in checks)).map((v) => `${v.file}: ${v.name}`);
    expect(unchecked).toEqual([]);
  });

  for (const v of vectors) {
    it(`${v.file}: ${v.name}`, async () => {
      const check = checks[v.name];
      if (!check) throw new Error(`no check for vector ${v.name}`);
      await check(v);
    });
  }
});
