import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { defineCommand, JSON_OPTION, UsageError, type CliIo } from '../../../shared/cli/cli-command';
import { writeFileAtomic } from '../../core/signing';
import { call, profileCore } from '../cli-core';
import { POLICY_OPTION, policiesOf, PROFILE_OPTION } from '../common-options';

/** Exit codes of `embassy verify`: the verdict itself, so scripts need not parse the output. */
export const VERIFY_EXIT = { valid: 0, invalid: 1, indeterminate: 2, error: 3 } as const;

/**
 * `embassy verify FILE [--content ORIGINAL] --trust PEM... [--crl FILE...] [--json]`, and
 * `--extract-signed-revision N OUT`: writes the bytes signature N covers (the signed version).
 */
export const verifyCommand = defineCommand({
  name: 'verify',
  summary: 'verify a signed PDF or a detached .p7s; the exit code is the verdict',
  usage:
    'embassy verify FILE [--content ORIGINAL] --trust PEM... [--untrusted PEM]... [--crl FILE]... [--policy OID]... [--json] [--extract-signed-revision N OUT] [--add-validation-data OUT [--tsa URL]] [--report OUT.pdf [--lang vi|en]]',
  options: {
    content: { type: 'string', arg: 'ORIGINAL', help: 'the signed content, when FILE is a detached .p7s' },
    trust: {
      type: 'string',
      multiple: true,
      arg: 'PEM',
      help: 'trust anchors to build the chain to; the shipped ones always apply',
    },
    untrusted: {
      type: 'string',
      multiple: true,
      arg: 'PEM',
      help: "intermediate certificates that may complete a signer's path",
    },
    crl: { type: 'string', multiple: true, arg: 'FILE', help: 'CRLs to check revocation against' },
    policy: POLICY_OPTION,
    'extract-signed-revision': {
      type: 'string',
      arg: 'N',
      help: 'write the version signature N signed to OUT (the second FILE argument)',
    },
    'add-validation-data': {
      type: 'string',
      arg: 'OUT',
      help: "write to OUT the PDF with its signatures' chains and CRLs in a DSS (PAdES B-LT); --crl gives the CRLs",
    },
    tsa: {
      type: 'string',
      arg: 'URL',
      help: 'with --add-validation-data: also a document timestamp from this TSA (PAdES B-LTA)',
    },
    report: { type: 'string', arg: 'OUT.pdf', help: 'also write the verification report as a PDF' },
    lang: { type: 'string', arg: 'vi|en', help: "the report's language (default: the settings')" },
    json: JSON_OPTION,
    profile: PROFILE_OPTION,
  },
  positionals: { min: 1, max: 2 },
  exitCodes: [
    [VERIFY_EXIT.valid, 'valid'],
    [VERIFY_EXIT.invalid, 'invalid'],
    [VERIFY_EXIT.indeterminate, 'indeterminate (or a bad command line)'],
    [VERIFY_EXIT.error, 'the file could not be checked (error code on stderr)'],
  ],
  async run({ values, positionals }, io) {
    const extract = values['extract-signed-revision'];
    if (extract !== undefined && (!/^[1-9]\d{0,3}$/.test(extract) || positionals.length !== 2))
      throw new UsageError(
        '--extract-signed-revision N OUT: N is the signature number, OUT the file to write',
      );
    if (extract === undefined && positionals.length !== 1) throw new UsageError('one FILE');
    const core = profileCore(values.profile, {
      signing: {
        trust: {
          anchorFiles: (values.trust ?? []).map((p) => resolve(p)),
          intermediateFiles: (values.untrusted ?? []).map((p) => resolve(p)),
          crlFiles: (values.crl ?? []).map((p) => resolve(p)),
          requiredPolicies: policiesOf(values.policy),
        },
      },
    });
    try {
      const content = values.content === undefined ? undefined : resolve(values.content);
      const target = {
        path: resolve(positionals[0] ?? ''),
        ...(content ? { contentPath: content } : {}),
      };
      const result =
        values.report === undefined
          ? await call(core, 'verify.file', target)
          : await call(core, 'verify.report', {
              ...target,
              output: resolve(values.report),
              language: await reportLanguage(core, values.lang),
            });
      if (!result.ok) {
        if (values.json) io.stdout(`${JSON.stringify({ ok: false, error: result.error })}\n`);
        io.stderr(`embassy: ${result.error.code}: ${result.error.message}\n`);
        return VERIFY_EXIT.error;
      }
      const report = result.value;
      const signatures = report.signatures.map((s) => ({
        signer: s.signer,
        signingTime: s.signingTime,
        verdict: s.verdict,
        reasons: s.reasons,
        ...(s.fieldName ? { fieldName: s.fieldName } : {}),
        ...(s.certification ? { certification: s.certification } : {}),
        ...(s.signedRevision ? { signedRevision: s.signedRevision } : {}),
      }));
      if (values.json) {
        io.stdout(`${JSON.stringify({ verdict: report.verdict, signatures, reasons: report.reasons })}\n`);
      } else {
        io.stdout(`${report.verdict}\n`);
        for (const r of report.reasons) io.stdout(`  ${r.code}: ${r.en}\n`);
        report.signatures.forEach((s, i) => {
          io.stdout(
            `signature ${i + 1}: ${s.verdict} — ${s.signer ?? 'unknown signer'}, ${s.signingTime ?? 'no time'}\n`,
          );
          for (const r of s.reasons) io.stdout(`  ${r.code}: ${r.en}\n`);
        });
      }
      if (extract !== undefined) {
        const written = await extractSignedRevision(
          resolve(positionals[0] ?? ''),
          report.signatures[Number(extract) - 1]?.signedRevision,
          resolve(positionals[1] ?? ''),
          io,
        );
        if (!written) return VERIFY_EXIT.error;
        if (!values.json)
          io.stdout(`signature ${extract}: signed version (${written} bytes) -> ${positionals[1]}\n`);
      }
      const ltvOut = values['add-validation-data'];
      if (ltvOut !== undefined) {
        const added = await call(core, 'verify.addValidationData', {
          path: resolve(positionals[0] ?? ''),
          output: resolve(ltvOut),
          ...(values.tsa ? { tsaUrl: values.tsa } : {}),
        });
        if (!added.ok) {
          io.stderr(`embassy: ${added.error.code}: ${added.error.message}\n`);
          return VERIFY_EXIT.error;
        }
        if (!values.json)
          io.stdout(
            `validation data: ${added.value.certs} certificate(s), ${added.value.crls} CRL(s) -> ${ltvOut}\n`,
          );
      }
      return VERIFY_EXIT[report.verdict];
    } finally {
      await core.close();
    }
  },
});

/** `--lang`, else the language in the profile's settings. */
async function reportLanguage(
  core: Parameters<typeof call>[0],
  lang: string | undefined,
): Promise<'vi' | 'en'> {
  if (lang !== undefined) {
    if (lang !== 'vi' && lang !== 'en') throw new UsageError('--lang is vi or en');
    return lang;
  }
  const settings = await call(core, 'settings.get', {});
  return settings.ok ? settings.value.language : 'vi';
}

/**
 * Writes the first `length` bytes of the file, once they are proven to be the bytes the
 * verification saw (their SHA-256 is in the report): the file may have changed since.
 */
async function extractSignedRevision(
  path: string,
  revision: { length: number; sha256: string } | undefined,
  out: string,
  io: CliIo,
): Promise<number | undefined> {
  if (!revision) {
    io.stderr(
      'embassy: no signed revision for that signature (no such signature, or its byte range is broken)\n',
    );
    return undefined;
  }
  const bytes = (await readFile(path)).subarray(0, revision.length);
  if (
    bytes.length !== revision.length ||
    createHash('sha256').update(bytes).digest('hex') !== revision.sha256
  ) {
    io.stderr('embassy: the file changed while it was verified; nothing written\n');
    return undefined;
  }
  await writeFileAtomic(out, bytes);
  return bytes.length;
}
