import { resolve } from 'node:path';
import { defineCommand, JSON_OPTION } from '../../../shared/cli/cli-command';
import { call, profileCore } from '../cli-core';
import { PROFILE_OPTION } from '../common-options';

/** Exit codes of `embassy verify`: the verdict itself, so scripts need not parse the output. */
export const VERIFY_EXIT = { valid: 0, invalid: 1, indeterminate: 2, error: 3 } as const;

/** `embassy verify FILE [--content ORIGINAL] --trust PEM... [--crl FILE...] [--json]`. */
export const verifyCommand = defineCommand({
  name: 'verify',
  summary: 'verify a signed PDF or a detached .p7s; the exit code is the verdict',
  usage: 'embassy verify FILE [--content ORIGINAL] --trust PEM... [--crl FILE]... [--json]',
  options: {
    content: { type: 'string', arg: 'ORIGINAL', help: 'the signed content, when FILE is a detached .p7s' },
    trust: {
      type: 'string',
      multiple: true,
      arg: 'PEM',
      help: 'trust anchors to build the chain to; the shipped ones always apply',
    },
    crl: { type: 'string', multiple: true, arg: 'FILE', help: 'CRLs to check revocation against' },
    json: JSON_OPTION,
    profile: PROFILE_OPTION,
  },
  positionals: { min: 1, max: 1 },
  exitCodes: [
    [VERIFY_EXIT.valid, 'valid'],
    [VERIFY_EXIT.invalid, 'invalid'],
    [VERIFY_EXIT.indeterminate, 'indeterminate (or a bad command line)'],
    [VERIFY_EXIT.error, 'the file could not be checked (error code on stderr)'],
  ],
  async run({ values, positionals }, io) {
    const core = profileCore(values.profile, {
      signing: {
        trust: {
          anchorFiles: (values.trust ?? []).map((p) => resolve(p)),
          crlFiles: (values.crl ?? []).map((p) => resolve(p)),
        },
      },
    });
    try {
      const content = values.content === undefined ? undefined : resolve(values.content);
      const result = await call(core, 'verify.file', {
        path: resolve(positionals[0] ?? ''),
        ...(content ? { contentPath: content } : {}),
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
      return VERIFY_EXIT[report.verdict];
    } finally {
      await core.close();
    }
  },
});
