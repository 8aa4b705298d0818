import type { AuditRecorder } from '../../../shared/audit';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type { HandlerTable } from '../contract';
import type { PolicyService } from '../policy';
import type { VaultAuditHooks } from '../vault';
import type { AuditLog } from './audit-log';

/**
 * Where the events of the other parts meet the audit log, so those parts stay unaware of it:
 * the vault's moments (hooks it calls), IT's policy (the service, wrapped), and the calls whose
 * outcome is the event (verification, file signing, enrolment). Sync's own events (queued,
 * sent, received, refused) are written by its store in their own transaction; document
 * signing takes the recorder directly (its outcome is known only inside the job).
 */

const codeOf = (e: unknown): string => (e instanceof CoreError ? e.code : ErrorCode.Internal);

/** The vault's moments as audit events. */
export function vaultAuditHooks(log: AuditLog): VaultAuditHooks {
  return {
    opened: (kind) => log.record(kind === 'created' ? 'vault.created' : 'vault.unlocked'),
    unlockFailed: (code) => log.record('vault.unlock-failed', { code }),
    closing: (reason, run) =>
      log.closing(run as Parameters<AuditLog['closing']>[0], { kind: 'vault.locked', refs: { reason } }),
    wipeRequested: () => log.record('vault.wipe-requested'),
  };
}

/** The policy service, recording what it applied and what it refused (a re-import is not news). */
export function auditedPolicy(policy: PolicyService, log: AuditRecorder): PolicyService {
  return {
    ...policy,
    async import(text) {
      try {
        const status = await policy.import(text);
        if (!status.unchanged) log.record('policy.applied', { version: status.policy?.version ?? 0 });
        return status;
      } catch (e) {
        log.record('policy.refused', { code: codeOf(e) });
        throw e;
      }
    },
  };
}

type Audited = 'verify.attachment' | 'verify.bytes' | 'verify.file' | 'sign.files' | 'sync.enroll';

/** The calls whose answer is the event: verification, signing files, enrolment. */
export function auditedCalls(
  h: Pick<HandlerTable, Audited>,
  log: AuditRecorder,
): Pick<HandlerTable, Audited> {
  const verified = (
    report: { verdict: 'valid' | 'invalid' | 'indeterminate'; signatures: unknown[] },
    attachmentId?: string,
  ) => {
    log.record('verify.done', {
      verdict: report.verdict,
      count: report.signatures.length,
      ...(attachmentId ? { attachmentId } : {}),
    });
    return report;
  };
  return {
    'verify.attachment': async (input, ctx) => {
      const report = await h['verify.attachment'](input, ctx);
      verified(report, input.id);
      return report;
    },
    'verify.bytes': async (input, ctx) => {
      const report = await h['verify.bytes'](input, ctx);
      verified(report);
      return report;
    },
    'verify.file': async (input, ctx) => {
      const report = await h['verify.file'](input, ctx);
      verified(report);
      return report;
    },
    'sign.files': async (input, ctx) => {
      const out = await h['sign.files'](input, ctx);
      const done = out.results.filter((r) => r.ok).length;
      if (done) log.record('sign.done', { count: done });
      for (const r of out.results) if (!r.ok && r.error) log.record('sign.refused', { code: r.error.code });
      return out;
    },
    'sync.enroll': async (input, ctx) => {
      try {
        const status = await h['sync.enroll'](input, ctx);
        log.record('sync.enrolled', status.deviceId ? { deviceId: status.deviceId } : {});
        return status;
      } catch (e) {
        log.record('sync.rejected', { code: codeOf(e) });
        throw e;
      }
    },
  };
}

type UpdateCalls = 'updates.check' | 'updates.checkFolder' | 'updates.download' | 'updates.install';

/**
 * Updates: every refusal (a bad manifest or file, from HQ or a USB stick) with its code, and the
 * install itself with the version about to run. The version is recorded only when it is a
 * plain `MAJOR.MINOR.PATCH` (a pre-release tag is left out rather than logged as free text).
 */
export function auditedUpdates(
  h: Pick<HandlerTable, UpdateCalls>,
  log: AuditRecorder,
): Pick<HandlerTable, UpdateCalls> {
  // The four take no input and answer the update status; each is wrapped the same way.
  type Call = (input: unknown, ctx: unknown) => Promise<{ availableVersion: string | null }>;
  const guarded = <K extends UpdateCalls>(name: K): HandlerTable[K] => {
    const call = h[name] as unknown as Call;
    const wrapped: Call = async (input, ctx) => {
      try {
        const status = await call(input, ctx);
        if (name === 'updates.install') {
          const v = status.availableVersion;
          log.record('update.installed', v && /^\d{1,6}\.\d{1,6}\.\d{1,6}$/.test(v) ? { version: v } : {});
        }
        return status;
      } catch (e) {
        log.record('update.refused', { code: codeOf(e) });
        throw e;
      }
    };
    return wrapped as unknown as HandlerTable[K];
  };
  return {
    'updates.check': guarded('updates.check'),
    'updates.checkFolder': guarded('updates.checkFolder'),
    'updates.download': guarded('updates.download'),
    'updates.install': guarded('updates.install'),
  };
}
