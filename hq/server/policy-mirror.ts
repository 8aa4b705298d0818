import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { POLICY_FILE_NAME, type PolicyResponse } from '../../shared/sync/relay-protocol';
import { authenticate } from './device-auth';
import { sendJson } from './http-io';
import type { RelayContext } from './relay-context';
import { notFound } from './relay-routes';

/**
 * `GET /v1/policy`: the file `embassy hq policy publish` placed in the data folder, read at each
 * request (a new one takes effect at once), to devices with a session. Served as it is: the
 * relay holds no IT key and devices verify IT's signatures themselves.
 */
export async function servePolicy(
  ctx: RelayContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  await authenticate(ctx, req);
  let policy: string;
  try {
    policy = await readFile(join(ctx.dataDir, POLICY_FILE_NAME), 'utf8');
  } catch {
    throw notFound();
  }
  sendJson(res, 200, { policy } satisfies PolicyResponse);
}
