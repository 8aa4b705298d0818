import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { defineCommand, EXIT, JSON_OPTION, UsageError } from '../../shared/cli/cli-command';
import { IT_DOCUMENT_TYPES, ItDocument } from '../../shared/it/it-document';
import { MAX_POLICY_BYTES, POLICY_FILE_NAME } from '../../shared/sync/relay-protocol';
import { DATA_OPTION, dataDirOf } from './admin-io';

/** A policy file as devices import it: one document, or root rotations then the policy. */
const Published = z.union([ItDocument, z.array(ItDocument).min(1).max(65)]);

/**
 * `embassy hq policy publish FILE --data DIR`: the IT-signed policy the relay serves at
 * `GET /v1/policy`, fetched by every device on every sync. The relay holds no IT key and is not
 * trusted to judge the file: it checks only that it is shaped like one (a typo is caught here,
 * not on every workstation), and devices verify IT's signatures before applying.
 */
export const hqPolicyPublishCommand = defineCommand({
  name: 'hq policy publish',
  summary: 'serve an IT-signed policy file to every device at its next sync',
  usage: 'embassy hq policy publish FILE --data DIR [--json]',
  options: { data: DATA_OPTION, json: JSON_OPTION },
  positionals: { min: 1, max: 1 },
  notes: ['Sign it first with embassy it sign; devices refuse what IT did not sign.'],
  async run({ values, positionals }, io) {
    const dataDir = dataDirOf(values.data);
    let text: string;
    try {
      text = await readFile(resolve(positionals[0] ?? ''), 'utf8');
    } catch {
      throw new UsageError(`cannot read ${positionals[0] ?? ''}`);
    }
    let parsed: z.infer<typeof Published>;
    try {
      if (Buffer.byteLength(text) > MAX_POLICY_BYTES) throw new Error('too large');
      parsed = Published.parse(JSON.parse(text));
    } catch {
      throw new UsageError('not an IT-signed policy file (one document, or roots then a policy)');
    }
    const docs = Array.isArray(parsed) ? parsed : [parsed];
    const last = docs[docs.length - 1];
    if (last?.signed.type !== IT_DOCUMENT_TYPES.policy)
      throw new UsageError('the file must end with a policy');
    const path = join(dataDir, POLICY_FILE_NAME);
    const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, path);
    const summary = { ok: true, version: last.signed.version, expires: last.signed.expires };
    io.stdout(values.json ? `${JSON.stringify(summary)}\n` : `published policy version ${summary.version}\n`);
    return EXIT.ok;
  },
});
