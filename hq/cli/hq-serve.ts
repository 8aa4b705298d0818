import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineCommand, EXIT, JSON_OPTION, UsageError } from '../../shared/cli/cli-command';
import { RelayLimitsFile } from '../server/relay-limits';
import { startRelay } from '../server/relay-server';
import { loadTsaSigner, TsaConfigError, type TsaSigner } from '../server/tsa-responder';
import { DATA_OPTION, dataDirOf, DB_OPTION, dbOf } from './admin-io';

/** `host:port`, IPv6 hosts in brackets; port 0 picks a free one. */
function parseListen(listen: string | undefined): { host: string; port: number } {
  if (listen === undefined) throw new UsageError('--listen HOST:PORT is required');
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(listen);
  const port = Number(m?.[3]);
  const host = m?.[1] ?? m?.[2];
  if (!m || host === undefined || port > 65535) throw new UsageError(`--listen '${listen}' is not HOST:PORT`);
  return { host, port };
}

/** The limits in `--limits FILE` (JSON, any subset of the relay's limits), checked before the start. */
function readLimits(file: string | undefined) {
  if (file === undefined) return {};
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(resolve(file), 'utf8'));
  } catch (e) {
    throw new UsageError(`--limits ${file}: ${(e as NodeJS.ErrnoException).code ?? 'not JSON'}`);
  }
  const parsed = RelayLimitsFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `--limits ${file}: ${issue?.path.join('.') || 'file'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** The TSA of `--tsa-key` and `--tsa-cert` (both or neither), checked before the start. */
function readTsa(keyFile: string | undefined, certFile: string | undefined): TsaSigner | undefined {
  if (keyFile === undefined && certFile === undefined) return undefined;
  if (keyFile === undefined || certFile === undefined)
    throw new UsageError('--tsa-key and --tsa-cert go together');
  try {
    return loadTsaSigner(resolve(keyFile), resolve(certFile));
  } catch (e) {
    if (e instanceof TsaConfigError) throw new UsageError(`--tsa-cert ${certFile}: ${e.message}`);
    throw e;
  }
}

/**
 * `embassy hq serve`: runs the relay until SIGTERM or SIGINT, then stops accepting, closes the
 * connections and the store, and exits 0. The first line printed holds the URL and the
 * certificate fingerprint clients pin (with --json: one JSON object).
 */
export const hqServeCommand = defineCommand({
  name: 'hq serve',
  summary: 'run the HQ relay (creates its certificate and keys on first start)',
  usage:
    'embassy hq serve --data DIR --listen HOST:PORT [--db postgres://…] [--trust-ca FILE]... [--limits FILE] [--updates DIR] [--tsa-key FILE --tsa-cert FILE] [--json] [--quiet]',
  options: {
    data: DATA_OPTION,
    listen: {
      type: 'string',
      arg: 'HOST:PORT',
      help: 'where to listen (IPv6 in brackets; port 0 picks a free one)',
    },
    db: DB_OPTION,
    'trust-ca': {
      type: 'string',
      multiple: true,
      arg: 'FILE',
      help: "PEM of a CA whose officers' devices are approved at enrolment (DIR/trusted-ca/*.pem are trusted too)",
    },
    limits: {
      type: 'string',
      arg: 'FILE',
      help: 'JSON of the limits to change (sizes, quotas, rates, caps; docs/protocols/relay-api-v1.md)',
    },
    updates: {
      type: 'string',
      arg: 'DIR',
      help: 'the update folder served at /v1/updates/NAME (default DIR/updates): electron-builder output and the signed release manifest',
    },
    'tsa-key': { type: 'string', arg: 'FILE', help: "PEM private key of HQ's time-stamping authority" },
    'tsa-cert': {
      type: 'string',
      arg: 'FILE',
      help: 'PEM of the TSA certificate IT issued (critical EKU timeStamping), then its CA certificates',
    },
    json: { ...JSON_OPTION, help: 'print the URL, fingerprint and HQ signing key as one JSON object' },
    quiet: { type: 'boolean', default: false, help: 'no request log on stderr' },
  },
  notes: [
    "DIR/crl/*.crl and *.pem are the issuing CAs' CRLs: a revoked officer certificate cannot enrol (read at every enrolment; a file that is not a CRL stops the start).",
    'With --db, several instances (each with a copy of DIR: the same certificate and HQ key) serve one database behind a load balancer.',
    'With --tsa-key and --tsa-cert, POST /v1/tsa answers RFC 3161 time-stamp requests (signature timestamps, B-T).',
    'Runs until SIGTERM or SIGINT (Ctrl+C), then closes its connections and exits 0.',
  ],
  async run({ values }, io) {
    const dataDir = dataDirOf(values.data);
    const { host, port } = parseListen(values.listen);
    const trustCaFiles = (values['trust-ca'] ?? []).map((f) => resolve(f));
    const db = dbOf(values.db);
    for (const f of trustCaFiles) if (!existsSync(f)) throw new UsageError(`--trust-ca ${f}: no such file`);
    const limits = readLimits(values.limits);
    const tsa = readTsa(values['tsa-key'], values['tsa-cert']);
    const relay = await startRelay({
      limits,
      dataDir,
      host,
      port,
      trustCaFiles,
      ...(db !== undefined ? { db } : {}),
      ...(values.updates !== undefined ? { updatesDir: resolve(values.updates) } : {}),
      ...(tsa ? { tsa } : {}),
      log: values.quiet ? () => undefined : (line) => io.stderr(`hq: ${line}\n`),
    });
    io.stdout(
      values.json
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
});
