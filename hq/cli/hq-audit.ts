import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { defineCommand, EXIT, JSON_OPTION, UsageError } from '../../shared/cli/cli-command';
import { AuditKeyFile, generateAuditKey, verifyAudit } from '../admin/audit-verify';
import { loadSodium } from '../server/sodium';
import { adminAction, DATA_OPTION, DB_OPTION, relayLocationOf } from './admin-io';

/**
 * HQ's audit commands (docs/protocols/audit-log-v1.md): a key pair whose public half IT puts in
 * its signed policy (`auditKey`), and the check of every device's log in the relay's mailbox.
 */

export const hqAuditKeygenCommand = defineCommand({
  name: 'hq audit keygen',
  summary: "make HQ's audit key (X25519); KEYFILE.pub is the policy's auditKey",
  usage: 'embassy hq audit keygen KEYFILE [--json]',
  options: { json: JSON_OPTION },
  positionals: { min: 1, max: 1 },
  notes: ['KEYFILE (mode 0600) opens every audit log: keep it off the relay.'],
  async run({ values, positionals }, io) {
    const path = resolve(positionals[0] ?? '');
    if (existsSync(path) || existsSync(`${path}.pub`))
      throw new UsageError(`${path} exists; not overwritten`);
    const key = generateAuditKey(await loadSodium());
    await writeFile(path, `${JSON.stringify(key)}\n`, { mode: 0o600, flag: 'wx' });
    await writeFile(`${path}.pub`, `${key.publicKey}\n`, { flag: 'wx' });
    io.stdout(values.json ? `${JSON.stringify({ auditKey: key.publicKey })}\n` : `${key.publicKey}\n`);
    return EXIT.ok;
  },
});

export const hqAuditVerifyCommand = defineCommand({
  name: 'hq audit verify',
  summary: "check devices' audit logs: chain, signatures, gaps, forks, cuts",
  usage: 'embassy hq audit verify (--data DIR | --db URL) --key KEYFILE [DEVICE] [--json]',
  options: {
    data: DATA_OPTION,
    db: DB_OPTION,
    key: { type: 'string', arg: 'KEYFILE', help: "HQ's audit key file (embassy hq audit keygen)" },
    json: JSON_OPTION,
  },
  positionals: { min: 0, max: 1 },
  notes: ['Without DEVICE, every device the relay knows is checked.'],
  exitCodes: [
    [0, 'every log checked holds'],
    [1, 'a log has a problem (or the call failed)'],
    [2, 'bad command line'],
    [3, 'internal error'],
  ],
  async run({ values, positionals }, io) {
    if (!values.key) throw new UsageError('--key KEYFILE is required');
    let key: AuditKeyFile;
    try {
      key = AuditKeyFile.parse(JSON.parse(await readFile(resolve(values.key), 'utf8')));
    } catch {
      throw new UsageError(`${values.key} is not an HQ audit key file`);
    }
    return adminAction(values.json, io, async () => {
      const reports = await verifyAudit(relayLocationOf(values), key, positionals[0]);
      const ok = reports.every((r) => r.ok);
      if (values.json) io.stdout(`${JSON.stringify({ ok, devices: reports })}\n`);
      else
        for (const r of reports) {
          const cp = r.lastCheckpoint ? `signed through ${r.lastCheckpoint.count}` : 'no checkpoint';
          io.stdout(`${r.deviceId}  ${r.ok ? 'ok' : 'PROBLEM'}  ${r.entries} entries, ${cp}\n`);
          for (const p of r.problems)
            io.stdout(
              `  ${p.kind}${p.seq === undefined ? '' : ` at ${p.seq}`}${p.to === undefined ? '' : `..${p.to}`}\n`,
            );
        }
      return ok ? EXIT.ok : EXIT.callFailed;
    });
  },
});
