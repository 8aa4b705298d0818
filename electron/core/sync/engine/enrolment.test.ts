import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import {
  enrolmentMessage,
  tokenEnrolmentMessage,
  type EnrollRequest,
  type EnrollResponse,
} from '../../../../shared/sync/relay-protocol';
import { RelayClientError, type RelayClient, type RelayClientErrorCode } from '../relay';
import type { EngineVault } from './engine-vault';
import { createEnrolment, type EnrolmentDeps } from './enrolment';

const DEVICE = '44'.repeat(16);
const HQ_KEY = randomBytes(32);

/**
 * Enrolment with the vault, token and relay faked: what the token signs, what the device key
 * signs, what the relay is sent, and what is refused.
 */
function setup(
  options: {
    existing?: string | null;
    mechanism?: string;
    answer?: Partial<EnrollResponse>;
    enrollError?: Error;
  } = {},
) {
  const signPublicKey = new Uint8Array(randomBytes(32));
  const boxPublicKey = new Uint8Array(randomBytes(32));
  const vaultCalls: { op: string; input: Record<string, unknown> }[] = [];
  const deviceSigned: Uint8Array[] = [];
  const vault = {
    status: async () => ({ state: 'unlocked' }),
    run: async (op: string, input: Record<string, unknown>) => {
      vaultCalls.push({ op, input });
      switch (op) {
        case 'sync.identity':
          return { identity: options.existing ? { status: options.existing } : null };
        case 'sync.identity.create':
          return { deviceId: DEVICE, signPublicKey, boxPublicKey };
        case 'sync.sign':
          deviceSigned.push(input.message as Uint8Array);
          return { signature: new Uint8Array(64).fill(7) };
        default:
          return {};
      }
    },
  } as unknown as EngineVault;
  const tokenSigned: Uint8Array[] = [];
  const signing: EnrolmentDeps['signing'] = {
    signRaw: async (_request, data) => {
      const certificate = { subject: 'C=VN\nO=Ministry\nCN=Nguyễn Văn A', raw: Buffer.from('cert') };
      const bytes = typeof data === 'function' ? data(certificate as never) : data;
      tokenSigned.push(bytes);
      return {
        signature: new Uint8Array([1, 2, 3]),
        mechanism: (options.mechanism ?? 'ecdsa-sha256') as never,
        certificate: certificate as never,
        chain: [{ raw: Buffer.from('ca') }] as never,
      };
    },
  };
  const sentToRelay: EnrollRequest[] = [];
  const relayUrls: string[] = [];
  const relay = {
    health: async () => ({ hqSignPublicKey: HQ_KEY.toString('base64') }),
    enroll: async (req: EnrollRequest) => {
      sentToRelay.push(req);
      if (options.enrollError) throw options.enrollError;
      return { deviceId: DEVICE, status: 'pending', ...options.answer };
    },
  } as unknown as RelayClient;
  const enroll = createEnrolment({
    vault,
    signing,
    now: () => 5,
    connection: {
      relayFor: (url) => {
        relayUrls.push(url);
        return relay;
      },
    },
  });
  const input = {
    hqUrl: 'https://hq.example:8443/',
    fingerprint: 'ab'.repeat(32),
    token: 'officer',
    pin: '1234',
    department: 'Consular',
  };
  return {
    enroll: () => enroll(input as never),
    vaultCalls,
    deviceSigned,
    tokenSigned,
    sentToRelay,
    relayUrls,
    signPublicKey,
    boxPublicKey,
  };
}

describe('enrolment', () => {
  it('binds both device keys to the officer by one token signature, proves the request with the device key, and records the answer', async () => {
    const t = setup();
    await t.enroll();
    const create = t.vaultCalls.find((c) => c.op === 'sync.identity.create')?.input;
    expect(create).toMatchObject({
      hqUrl: 'https://hq.example:8443',
      hqFingerprint: 'ab'.repeat(32),
      now: 5,
    });
    expect(Buffer.from(create?.hqSignPublicKey as Uint8Array).equals(HQ_KEY)).toBe(true);
    expect(t.tokenSigned).toEqual([
      tokenEnrolmentMessage(t.signPublicKey, t.boxPublicKey, 'Nguyễn Văn A', 'Consular'),
    ]);
    const sent = t.sentToRelay[0];
    const request = Buffer.from(sent?.request ?? '', 'base64');
    expect(JSON.parse(request.toString('utf8'))).toEqual({
      version: 1,
      officer: { name: 'Nguyễn Văn A', department: 'Consular' },
      certificates: [Buffer.from('cert').toString('base64'), Buffer.from('ca').toString('base64')],
      algorithm: 'ecdsa-p256-sha256',
      tokenSignature: Buffer.from([1, 2, 3]).toString('base64'),
    });
    expect(t.deviceSigned).toEqual([
      enrolmentMessage(t.signPublicKey, t.boxPublicKey, new Uint8Array(request)),
    ]);
    expect(sent?.proof).toBe(Buffer.alloc(64, 7).toString('base64'));
    expect(t.vaultCalls.at(-1)).toEqual({
      op: 'sync.identity.update',
      input: { status: 'pending', name: 'Nguyễn Văn A', department: 'Consular' },
    });
  });

  it('refuses a workstation already enrolled, before anything reaches the relay', async () => {
    const t = setup({ existing: 'approved' });
    await expect(t.enroll()).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
    expect(t.relayUrls).toEqual([]);
  });

  it('lets a pending enrolment start again', async () => {
    const t = setup({ existing: 'pending' });
    await t.enroll();
    expect(t.sentToRelay).toHaveLength(1);
  });

  it('refuses an answer for another device', async () => {
    const t = setup({ answer: { deviceId: '55'.repeat(16) } });
    await expect(t.enroll()).rejects.toMatchObject({ code: ErrorCode.SyncRefused });
    expect(t.vaultCalls.some((c) => c.op === 'sync.identity.update')).toBe(false);
  });

  it('refuses a token key whose mechanism HQ does not take, before asking the relay', async () => {
    const t = setup({ mechanism: 'rsa-pkcs1-sha1' });
    await expect(t.enroll()).rejects.toMatchObject({ code: ErrorCode.TokenMechanismUnsupported });
    expect(t.sentToRelay).toEqual([]);
  });

  it("answers the relay's refusals and network failures with the contract's codes", async () => {
    // A code the engine has no branch for (outside the closed list: only a cast makes one).
    const refused = setup({
      enrollError: new RelayClientError('E_BAD_CERTIFICATE' as RelayClientErrorCode, 'no'),
    });
    const e = await refused.enroll().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CoreError);
    expect(e).toMatchObject({ code: ErrorCode.SyncRefused, message: 'E_BAD_CERTIFICATE: no' });
    const offline = setup({ enrollError: new RelayClientError('E_TIMEOUT', 'slow', { retryable: true }) });
    await expect(offline.enroll()).rejects.toMatchObject({ code: ErrorCode.SyncOffline });
  });
});
