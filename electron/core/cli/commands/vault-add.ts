import { resolve } from 'node:path';
import type { DocumentSummary } from '../../../../shared/contract/vault-calls';
import { CLASSIFICATIONS, type Classification } from '../../../../shared/domain/classification';
import { EXIT, reportError, UsageError, type CliCommand } from '../cli-command';
import { call, readSecret, vaultCore, withUnlockedVault } from '../vault-session';

/** `embassy vault add`: registers a document (and its attachments) in the vault; prints its id. */
export const vaultAddCommand: CliCommand = {
  name: 'vault add',
  summary: 'add a document (with attachments) to the encrypted cache; prints its id',
  usage:
    'embassy vault add --profile DIR --pin-stdin --title T [--classification C] [--body TEXT] [--attach FILE]... [--json]',
  options: {
    profile: { type: 'string' },
    'pin-stdin': { type: 'boolean', default: false },
    title: { type: 'string' },
    classification: { type: 'string', default: 'unclassified' },
    body: { type: 'string' },
    attach: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
  },
  async run({ values }, io) {
    if (typeof values.title !== 'string') throw new UsageError('--title is required');
    const classification = values.classification as string;
    if (!(CLASSIFICATIONS as readonly string[]).includes(classification)) {
      throw new UsageError(`--classification must be one of ${CLASSIFICATIONS.join(', ')}`);
    }
    const attachments = ((values.attach as string[] | undefined) ?? []).map((p) => resolve(p));
    const secret = await readSecret(values, io);
    const core = vaultCore(values);
    const result = await withUnlockedVault(core, secret, async () => {
      const added = await call(core, 'documents.add', {
        subject: values.title,
        classification: classification as Classification,
        ...(typeof values.body === 'string' ? { body: values.body } : {}),
      });
      if (!added.ok) return added;
      const document = added.value as DocumentSummary;
      const attached: unknown[] = [];
      for (const path of attachments) {
        const r = await call(core, 'attachments.add', {
          documentId: document.id,
          source: { kind: 'path', path },
        });
        if (!r.ok) return r;
        attached.push(r.value);
      }
      return { ok: true as const, value: { ...document, attachments: attached } };
    });
    if (!result.ok) return reportError(result.error, values.json === true, io);
    const value = result.value as DocumentSummary;
    io.stdout(values.json ? `${JSON.stringify(value)}\n` : `${value.id}\n`);
    return EXIT.ok;
  },
};
