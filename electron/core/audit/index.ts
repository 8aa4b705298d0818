/**
 * The tamper-evident audit log, the core's thread (docs/protocols/audit-log-v1.md): `AuditLog`
 * (`record(kind, refs)` for any part: updates, identity notices), the wiring of the vault's,
 * policy's and the calls' events, and `audit.list`. The chain itself is in the vault worker
 * (`sync/store/audit-chain.ts`, beside the device key that signs its checkpoints); the format
 * and HQ's check are in `shared/audit/`.
 */
export { createAuditLog, type AuditLog, type AuditSink } from './audit-log';
export { auditedCalls, auditedPolicy, auditedUpdates, vaultAuditHooks } from './audit-wiring';
export { createAuditHandlers } from './audit-handlers';
export type { AuditKind, AuditRecorder, AuditRefs } from '../../../shared/audit';
