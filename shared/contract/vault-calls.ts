import type { VaultCallName } from './vault-call-names';
import { attachmentCalls } from './vault-calls-attachments';
import { documentCalls } from './vault-calls-documents';
import { vaultLifecycleCalls } from './vault-calls-lifecycle';
import { messageCalls } from './vault-calls-messages';
import { searchCalls } from './vault-calls-search';

/**
 * The vault's calls (issue 3): the encrypted local cache of documents, attachments and
 * messages, its search, lock and wipe. Spread into the contract table in `calls.ts`. Defined
 * by capability in `vault-calls-*.ts` (life cycle, documents, attachments, messages, search);
 * this module is their one face.
 *
 * Every content call fails with `E_VAULT_ABSENT` before a vault exists and `E_VAULT_LOCKED`
 * while it is locked. Ids are opaque strings (UUIDs); timestamps are ISO 8601 UTC strings.
 */

export { RecordId } from './vault-calls-fields';
export * from './vault-calls-lifecycle';
export * from './vault-calls-documents';
export * from './vault-calls-attachments';
export * from './vault-calls-messages';
export * from './vault-calls-search';

/** The vault's part of the contract. */
export const vaultContract = {
  ...vaultLifecycleCalls,
  ...documentCalls,
  ...attachmentCalls,
  ...messageCalls,
  ...searchCalls,
} as const;

// Compile-time proof that the zod-free name list and this table agree, in both directions.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const vaultNamesMatch: Exact<keyof typeof vaultContract, VaultCallName> = true;
void vaultNamesMatch;
