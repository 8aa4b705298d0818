/**
 * The tamper-evident audit log's shared half (docs/protocols/audit-log-v1.md): the kinds and
 * references an entry may hold, the chain's and checkpoint's bytes, the sealed batch, and
 * HQ's verification. The device's half is `electron/core/audit/` (the core's thread) and
 * `electron/core/sync/store/audit-chain.ts` (the vault worker); HQ's is `hq/admin/audit-verify.ts`.
 */
export * from './audit-kinds';
export * from './audit-format';
export * from './audit-verify';
