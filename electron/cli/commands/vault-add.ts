import { resolve } from 'node:path';
import { ok } from '../../../shared/contract/result';
import type { AttachmentInfo } from '../../../shared/contract/vault-calls';
import { defineCommand, EXIT, JSON_OPTION, reportError, UsageError } from '../../../shared/cli/cli-command';
import { call } from '../cli-core';
import { CLASSIFICATION_OPTION, classificationOf, PIN_STDIN_OPTION, PROFILE_OPTION } from '../common-options';
import { readSecret, vaultCore, withUnlockedVault } from '../vault-session';

/** `embassy vault add`: registers a document (and its attachments) in the vault; prints its id. */
export const vaultAddCommand = defineCommand({
  name: 'vault add',
  summary: 'add a document (with attachments) to the encrypted cache; prints its id',
  usage:
    'embassy vault add --profile DIR --pin-stdin --title T [--classification C] [--body TEXT] [--attach FILE]... [--json]',
  options: {
    profile: PROFILE_OPTION,
    'pin-stdin': PIN_STDIN_OPTION,
    title: { type: 'string', arg: 'T', help: "the document's subject" },
    classification: CLASSIFICATION_OPTION,
    body: { type: 'string', arg: 'TEXT', help: 'the text of version 1' },
    attach: { type: 'string', multiple: true, arg: 'FILE', help: 'a file to attach' },
    json: JSON_OPTION,
  },
  async run({ values }, io) {
    const { title, body } = values;
    if (title === undefined) throw new UsageError('--title is required');
    const classification = classificationOf(values.classification);
    const attachments = (values.attach ?? []).map((p) => resolve(p));
    const secret = await readSecret(values['pin-stdin'], io);
    const core = vaultCore(values.profile);
    const result = await withUnlockedVault(core, secret, async () => {
      const added = await call(core, 'documents.add', {
        subject: title,
        classification,
        ...(body !== undefined ? { body } : {}),
      });
      if (!added.ok) return added;
      const document = added.value;
      const attached: AttachmentInfo[] = [];
      for (const path of attachments) {
        const r = await call(core, 'attachments.add', {
          documentId: document.id,
          source: { kind: 'path', path },
        });
        if (!r.ok) return r;
        attached.push(r.value);
      }
      return ok({ ...document, attachments: attached });
    });
    if (!result.ok) return reportError(result.error, values.json, io);
    const value = result.value;
    io.stdout(values.json ? `${JSON.stringify(value)}\n` : `${value.id}\n`);
    return EXIT.ok;
  },
});
