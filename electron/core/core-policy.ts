import { CoreError, ErrorCode } from '../../shared/contract/errors';
import type { ManagedSetting } from '../../shared/contract/policy-calls';
import type { VaultCreateInput } from '../../shared/contract/vault-calls';
import { assertDriverAllowed, type PolicyService } from './policy';
import type { TrustSettings } from './signing';
import { driverModulePath } from './token';

/**
 * Where IT's policy meets the other capabilities, in one place: which token libraries may load,
 * which settings the officer may no longer change, the idle delay and escrow key it sets, and
 * the trust anchors and CRLs it adds to signing and verification. Each gate reads the policy in
 * force at the moment of the call, so an import takes effect without a restart.
 */
export function createPolicyGates(policy: PolicyService) {
  return {
    /** Refuses a PKCS#11 library policy does not allow, before any process loads it. */
    async driver(modulePath: string): Promise<void> {
      await assertDriverAllowed((await policy.current())?.pkcs11.allowed, modulePath);
    },
    /** Refuses an officer's change to a setting the policy in force decides. */
    async notManaged(setting: ManagedSetting): Promise<void> {
      if ((await policy.status()).managed.includes(setting))
        throw new CoreError(ErrorCode.PolicySetByIt, `${setting} is set by IT's policy`);
    },
    /** A token-less passphrase vault only where policy allows it; a token vault only with an allowed driver. */
    async vaultProfile(input: VaultCreateInput): Promise<void> {
      const p = await policy.current();
      if (!p) return;
      if (input.profile === 'passphrase' && !p.passphraseProfiles)
        throw new CoreError(ErrorCode.PolicyForbids, "IT's policy allows only token-bound vaults");
      if (input.profile === 'token') {
        const modulePath = input.modulePath ?? (input.driver ? driverModulePath(input.driver) : undefined);
        if (modulePath !== undefined) await assertDriverAllowed(p.pkcs11.allowed, modulePath);
      }
    },
    idleSeconds: async (): Promise<number | undefined> => {
      const p = await policy.current();
      return p ? p.idleLockMinutes * 60 : undefined;
    },
    escrow: async () => {
      const key = (await policy.current())?.escrowKey;
      return key ? { publicKey: new Uint8Array(Buffer.from(key, 'base64')), label: 'policy' } : undefined;
    },
    /** HQ's audit key from the policy in force: the only key the audit log is sealed to. */
    auditKey: async (): Promise<Uint8Array | undefined> => {
      const key = (await policy.current())?.auditKey;
      return key ? new Uint8Array(Buffer.from(key, 'base64')) : undefined;
    },
    /**
     * The TSA IT's policy names, with the pin of HQ's certificate when it is on HQ's origin;
     * undefined when the policy names none (the workstation's own setting applies).
     */
    tsa: async (): Promise<{ url: string; pin?: string } | undefined> => {
      const p = await policy.current();
      if (!p?.tsaUrl) return undefined;
      const onHq = new URL(p.hq.url).origin === new URL(p.tsaUrl).origin;
      return { url: p.tsaUrl, ...(onHq ? { pin: p.hq.certSha256 } : {}) };
    },
    /** The anchors and CRLs policy pushes, added to the shipped and caller-given ones. */
    async withPolicyTrust(base: TrustSettings): Promise<TrustSettings> {
      const t = await policy.trust();
      const required = [
        ...(base.requiredPolicies ?? []),
        ...((await policy.current())?.signing.requiredPolicies ?? []),
      ];
      return {
        ...base,
        anchors: [...base.anchors, ...t.anchors],
        crls: [...(base.crls ?? []), ...t.crls],
        ...(required.length > 0 ? { requiredPolicies: required } : {}),
      };
    },
  };
}
