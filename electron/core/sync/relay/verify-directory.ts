import { Directory, directoryMessage, type DirectoryResponse } from '../../../../shared/sync/relay-protocol';
import { RelayErrorCode, RelayLinkErrorCode } from '../../../../shared/sync/sync-error-codes';
import { RelayClientError } from './relay-error';

/**
 * Checks a `GET /v1/directory` body: HQ's signature over {@link directoryMessage} of the bytes
 * (`E_BAD_SIGNATURE`), then UTF-8 JSON against the strict {@link Directory} schema
 * (`E_PROTOCOL`). The caller also refuses a serial below the highest it has accepted.
 */
export function verifyDirectory(
  body: DirectoryResponse,
  hqSignPublicKey: Uint8Array,
  verify: (message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array) => boolean,
): { directory: Directory; bytes: Uint8Array } {
  const bytes = new Uint8Array(Buffer.from(body.directory, 'base64'));
  const signature = new Uint8Array(Buffer.from(body.signature, 'base64'));
  let ok = false;
  try {
    ok = verify(directoryMessage(bytes), signature, hqSignPublicKey);
  } catch {
    ok = false;
  }
  if (!ok)
    throw new RelayClientError(RelayErrorCode.BadSignature, "the directory does not carry HQ's signature");
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new RelayClientError(RelayLinkErrorCode.Protocol, 'the directory is not UTF-8 JSON');
  }
  const parsed = Directory.safeParse(value);
  if (!parsed.success)
    throw new RelayClientError(RelayLinkErrorCode.Protocol, 'the directory does not match the protocol');
  return { directory: parsed.data, bytes };
}
