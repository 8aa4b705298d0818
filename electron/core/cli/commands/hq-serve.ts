import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { startRelay } from '../../../../hq/server/relay-server';
import { EXIT, UsageError, type CliCommand } from '../cli-command';
import { dataDirOf } from '../hq-admin-io';

/** `host:port`, IPv6 hosts in brackets; port 0 picks a free one. */
function parseListen(listen: unknown): { host: string; port: number } {
  if (typeof listen !== 'string') throw new UsageError('--listen HOST:PORT is required');
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(listen);
  const port = Number(m?.[3]);
  const host = m?.[1] ?? m?.[2];
  if (!m || host === undefined || port > 65535) throw new UsageError(`--listen '${listen}' is not HOST:PORT`);
  return { host, port };
}

/**
 * `embassy hq serve`: runs the relay until SIGTERM or SIGINT, then stops accepting, closes the
 * connections and the store, and exits 0. The first line printed holds the URL and the
 * certificate fingerprint clients pin (with --json: one JSON object).
 */
export const hqServeCommand: CliCommand = {
  name: 'hq serve',
  summary: 'run the HQ relay (creates its certificate and keys on first start)',
  usage:
    'embassy hq serve --data DIR --listen HOST:PORT [--trust-ca FILE]... [--json] [--quiet]\n' +
    "  --trust-ca FILE  PEM of a CA whose officers' devices are approved at enrolment (repeatable;\n" +
    '                   DIR/trusted-ca/*.pem are trusted too)\n' +
    "  DIR/crl/*.crl, *.pem  the issuing CAs' CRLs: a revoked officer certificate cannot enrol\n" +
    '                   (read at every enrolment; a file that is not a CRL stops the start)',
  options: {
    data: { type: 'string' },
    listen: { type: 'string' },
    'trust-ca': { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  },
  async run({ values }, io) {
    const dataDir = dataDirOf(values);
    const { host, port } = parseListen(values.listen);
    const trustCa = values['trust-ca'];
    const trustCaFiles = (Array.isArray(trustCa) ? trustCa : []).map((f) => resolve(String(f)));
    for (const f of trustCaFiles) if (!existsSync(f)) throw new UsageError(`--trust-ca ${f}: no such file`);
    const relay = await startRelay({
      dataDir,
      host,
      port,
      trustCaFiles,
      log: values.quiet === true ? () => undefined : (line) => io.stderr(`hq: ${line}\n`),
    });
    io.stdout(
      values.json === true
        ? `${JSON.stringify({ url: relay.url, fingerprint: relay.fingerprint, hqSignPublicKey: relay.hqSignPublicKey })}\n`
        : `HQ relay listening on ${relay.url}\nfingerprint (SHA-256): ${relay.fingerprint}\nHQ signing key (Ed25519): ${relay.hqSignPublicKey}\n`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        resolve();
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
    await relay.close();
    io.stderr('hq: stopped\n');
    return EXIT.ok;
  },
};
