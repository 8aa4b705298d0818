import { VAULT_CALL_NAMES } from './vault-call-names';
import { SYNC_CALL_NAMES } from './sync-call-names';
import { POLICY_CALL_NAMES } from './policy-call-names';
import { CONTACT_CALL_NAMES } from './contact-call-names';
import { UPDATE_CALL_NAMES } from './update-call-names';
import { EXPORT_CALL_NAMES } from './export-call-names';

/**
 * The names of every call, without their schemas, so the sandboxed preload can build
 * `window.embassy` without bundling zod. `calls.ts` checks at compile time that this list and
 * the contract agree, in both directions.
 */
export const CALL_NAMES = [
  'app.health',
  'settings.get',
  'settings.update',
  ...VAULT_CALL_NAMES,
  ...([
    'token.list',
    'token.drivers',
    'trust.anchors',
    'sign.files',
    'verify.file',
    'cert.verify',
    'verify.addValidationData',
    'verify.report',
  ] as const),
  ...([
    'sign.documents',
    'documents.approve',
    'sign.progress',
    'sign.cancel',
    'sign.fields',
    'sign.timestamps',
    'verify.attachmentReport',
    'verify.attachmentValidationData',
    'verify.attachment',
    'verify.bytes',
  ] as const),
  ...SYNC_CALL_NAMES,
  ...POLICY_CALL_NAMES,
  ...CONTACT_CALL_NAMES,
  ...UPDATE_CALL_NAMES,
  ...EXPORT_CALL_NAMES,
  'audit.list',
] as const;

/** The one Electron IPC channel; main and preload both take the name from here. */
export const IPC_CHANNEL = 'embassy:call';

export type CallName = (typeof CALL_NAMES)[number];

export function isCallName(value: unknown): value is CallName {
  return typeof value === 'string' && (CALL_NAMES as readonly string[]).includes(value);
}
