import type { z } from 'zod';
import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import type { SyncEnrollInput } from '../../../../shared/contract/sync-calls';
import {
  enrolmentMessage,
  tokenEnrolmentMessage,
  type EnrolmentCertification,
} from '../../../../shared/sync/relay-protocol';
import type { SigningService } from '../../signing';
import { contractError } from './engine-errors';
import { isUnlocked, readIdentity, type EngineVault } from './engine-vault';
import type { IdentityTrustSources } from './directory-refresh';
import type { RelayConnection } from './relay-connection';

export interface EnrolmentDeps {
  readonly vault: EngineVault;
  readonly signing: Pick<SigningService, 'signRaw'>;
  readonly now: () => number;
  readonly connection: Pick<RelayConnection, 'relayFor'>;
  /** The anchors to pin in the vault for officers' identities. */
  readonly trust?: () => Promise<IdentityTrustSources>;
}

const MECHANISM: Record<string, EnrolmentCertification['algorithm']> = {
  'rsa-pkcs1-sha256': 'rsa-pkcs1-sha256',
  'rsa-pss-sha256': 'rsa-pss-sha256',
  'ecdsa-sha256': 'ecdsa-p256-sha256',
};

const b64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

function commonName(subject: string): string {
  const cn = subject.split('\n').find((l) => l.startsWith('CN='));
  return (cn ? cn.slice(3) : subject).slice(0, 128);
}

/**
 * Enrolment (`sync.enroll`): the relay's `/health` over the pinned connection gives HQ's
 * signing key; the vault worker makes the device keys; the token signs both public keys with
 * the holder's name and department; the device key signs the request; HQ answers `approved`
 * or `pending`. No state of its own: the identity it makes lives in the vault.
 */
export function createEnrolment(
  deps: EnrolmentDeps,
): (input: z.output<typeof SyncEnrollInput>) => Promise<void> {
  const { vault, now } = deps;
  return async (input) => {
    if (!(await isUnlocked(vault))) throw new CoreError(ErrorCode.VaultLocked, 'the vault is locked');
    const existing = await readIdentity(vault);
    if (existing && existing.status !== 'new' && existing.status !== 'pending') {
      throw new CoreError(ErrorCode.InvalidInput, 'this workstation is already enrolled');
    }
    const relay = deps.connection.relayFor(input.hqUrl, input.fingerprint);
    let health;
    try {
      health = await relay.health();
    } catch (e) {
      throw contractError(e);
    }
    const hqSignPublicKey = new Uint8Array(Buffer.from(health.hqSignPublicKey, 'base64'));
    const anchors = deps.trust ? (await deps.trust()).anchors : [];
    const id = await vault.run('sync.identity.create', {
      hqUrl: input.hqUrl.replace(/\/$/, ''),
      hqFingerprint: input.fingerprint,
      hqSignPublicKey,
      now: now(),
      // Pinned now, so that every later session (the CLI's too) checks peers against them.
      ...(anchors.length ? { anchors: [...anchors] } : {}),
    });
    const department = input.department ?? '';
    let name = '';
    // One token signature binds both device keys to the officer's certificate; its holder
    // (CN) is the name HQ lists. The certificate is checked before the PIN is used.
    const signed = await deps.signing.signRaw(
      { token: input.token, pin: input.pin, ...(input.keyId ? { keyId: input.keyId } : {}) },
      (certificate) => {
        name = commonName(certificate.subject);
        return tokenEnrolmentMessage(id.signPublicKey, id.boxPublicKey, name, department);
      },
    );
    const algorithm = MECHANISM[signed.mechanism];
    if (!algorithm) throw new CoreError(ErrorCode.TokenMechanismUnsupported, 'unsupported token key');
    const certification: EnrolmentCertification = {
      version: 1,
      officer: { name, department },
      certificates: [signed.certificate, ...signed.chain].map((c) => c.raw.toString('base64')),
      algorithm,
      tokenSignature: b64(signed.signature),
    };
    const request = utf8(JSON.stringify(certification));
    const proof = (
      await vault.run('sync.sign', {
        message: enrolmentMessage(id.signPublicKey, id.boxPublicKey, request),
      })
    ).signature;
    let enrolled;
    try {
      enrolled = await relay.enroll({
        signPublicKey: b64(id.signPublicKey),
        boxPublicKey: b64(id.boxPublicKey),
        request: b64(request),
        proof: b64(proof),
      });
    } catch (e) {
      throw contractError(e);
    }
    if (enrolled.deviceId !== id.deviceId)
      throw new CoreError(ErrorCode.SyncRefused, 'HQ answered for another device');
    await vault.run('sync.identity.update', { status: enrolled.status, name, department });
  };
}
