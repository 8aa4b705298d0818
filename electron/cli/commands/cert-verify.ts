import { resolve } from 'node:path';
import { defineCommand, JSON_OPTION, UsageError } from '../../../shared/cli/cli-command';
import { call, profileCore } from '../cli-core';
import { POLICY_OPTION, policiesOf, PROFILE_OPTION } from '../common-options';
import { VERIFY_EXIT } from './verify';

/**
 * `embassy cert verify CERT --trust PEM... [--untrusted PEM...] [--crl FILE...] [--at ISO8601]
 * [--purpose document-signing|timestamping|any] [--json]`: the certificate path validation signatures use,
 * alone, for IT and scripts. The exit code is the verdict, as for `embassy verify`.
 */
export const certVerifyCommand = defineCommand({
  name: 'cert verify',
  summary: 'validate a certificate path (RFC 5280); the exit code is the verdict',
  usage:
    'embassy cert verify CERT --trust PEM... [--untrusted PEM]... [--crl FILE]... [--policy OID]... [--at ISO8601] [--purpose document-signing|timestamping|any] [--json]',
  options: {
    trust: {
      type: 'string',
      multiple: true,
      arg: 'PEM',
      help: 'trust anchors; the shipped ones always apply',
    },
    untrusted: {
      type: 'string',
      multiple: true,
      arg: 'PEM',
      help: 'intermediate certificates that may complete the path',
    },
    chain: { type: 'string', multiple: true, arg: 'PEM', help: 'the same as --untrusted' },
    crl: { type: 'string', multiple: true, arg: 'FILE', help: 'CRLs (PEM or DER) for revocation' },
    policy: POLICY_OPTION,
    at: {
      type: 'string',
      arg: 'ISO8601',
      help: 'validate as of this time (default now), e.g. 2026-01-31T12:00:00Z',
    },
    purpose: {
      type: 'string',
      arg: 'P',
      default: 'document-signing',
      help: 'document-signing (signer key usage rules), timestamping (a TSA) or any',
    },
    json: JSON_OPTION,
    profile: PROFILE_OPTION,
  },
  positionals: { min: 1, max: 1 },
  exitCodes: [
    [VERIFY_EXIT.valid, 'valid'],
    [VERIFY_EXIT.invalid, 'invalid'],
    [VERIFY_EXIT.indeterminate, 'indeterminate (or a bad command line)'],
    [VERIFY_EXIT.error, 'the certificate could not be checked (error code on stderr)'],
  ],
  async run({ values, positionals }, io) {
    const purpose = values.purpose;
    if (purpose !== 'document-signing' && purpose !== 'timestamping' && purpose !== 'any')
      throw new UsageError('--purpose is document-signing, timestamping or any');
    const at = values.at;
    if (
      at !== undefined &&
      (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(at) ||
        Number.isNaN(Date.parse(at)))
    )
      throw new UsageError('--at wants an ISO 8601 time with a zone, e.g. 2026-01-31T12:00:00Z');
    const core = profileCore(values.profile, {
      signing: {
        trust: {
          anchorFiles: (values.trust ?? []).map((p) => resolve(p)),
          intermediateFiles: [...(values.untrusted ?? []), ...(values.chain ?? [])].map((p) => resolve(p)),
          crlFiles: (values.crl ?? []).map((p) => resolve(p)),
          requiredPolicies: policiesOf(values.policy),
        },
      },
    });
    try {
      const result = await call(core, 'cert.verify', {
        path: resolve(positionals[0] ?? ''),
        purpose,
        ...(at !== undefined ? { at: new Date(at).toISOString() } : {}),
      });
      if (!result.ok) {
        if (values.json) io.stdout(`${JSON.stringify({ ok: false, error: result.error })}\n`);
        io.stderr(`embassy: ${result.error.code}: ${result.error.message}\n`);
        return VERIFY_EXIT.error;
      }
      const report = result.value;
      if (values.json) io.stdout(`${JSON.stringify(report)}\n`);
      else {
        io.stdout(`${report.verdict}\n`);
        for (const r of report.reasons) io.stdout(`  ${r.code}: ${r.en}\n`);
        report.path.forEach((c, i) => io.stdout(`${i === 0 ? 'path: ' : '      '}${c.subject}\n`));
      }
      return VERIFY_EXIT[report.verdict];
    } finally {
      await core.close();
    }
  },
});
