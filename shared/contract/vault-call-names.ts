/**
 * The vault's call names, zod-free (the preload bundles this list). `vault-calls.ts` checks at
 * compile time that it matches its schema table.
 */
export const VAULT_CALL_NAMES = [
  'vault.status',
  'vault.create',
  'vault.unlock',
  'vault.lock',
  'vault.touch',
  'vault.configure',
  'vault.wipe',
  'vault.loadSampleData',
  'documents.list',
  'documents.get',
  'documents.add',
  'documents.markRead',
  'documents.update',
  'documents.transition',
  'documents.archive',
  'documents.register',
  'documents.receipts',
  'attachments.add',
  'attachments.read',
  'attachments.upload.begin',
  'attachments.upload.append',
  'attachments.upload.finish',
  'attachments.upload.cancel',
  'messages.threads',
  'messages.list',
  'messages.add',
  'messages.markRead',
  'messages.updateDraft',
  'messages.deleteDraft',
  'messages.files.add',
  'messages.files.read',
  'search',
] as const;

export type VaultCallName = (typeof VAULT_CALL_NAMES)[number];
