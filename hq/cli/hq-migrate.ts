import { defineCommand, EXIT, JSON_OPTION, UsageError } from '../../shared/cli/cli-command';
import { migrateToPostgres } from '../admin/relay-migration';
import { adminAction, dataDirOf, dbOf } from './admin-io';

/**
 * `embassy hq migrate --from DIR --to URL`: moves a stopped single-machine relay into an empty
 * PostgreSQL database and verifies the copy (row counts, every item's bytes by SHA-256).
 */
export const hqMigrateCommand = defineCommand({
  name: 'hq migrate',
  summary: "move a relay's data from its SQLite folder to PostgreSQL, and verify it",
  usage: 'embassy hq migrate --from DIR --to postgres://… [--json]',
  options: {
    from: { type: 'string', arg: 'DIR', help: "the relay's data folder (stop `hq serve` on it first)" },
    to: {
      type: 'string',
      arg: 'URL',
      help: 'an empty PostgreSQL database (a password is better given in PGPASSWORD or ~/.pgpass)',
    },
    json: { ...JSON_OPTION, help: 'print what was moved and verified as one JSON object' },
  },
  notes: [
    'Copies devices, prekeys, the directory serial, mailboxes and cursors, and the bytes of every item not yet acknowledged; then checks row counts and re-reads every item from PostgreSQL to compare SHA-256 digests.',
    'The certificate, HQ key, trusted CAs and CRLs stay in DIR: give each relay instance a copy of DIR and run `embassy hq serve --data DIR --db URL`.',
  ],
  run({ values }, io) {
    return adminAction(values.json, io, async () => {
      const dataDir = dataDirOf(values.from);
      const url = dbOf(values.to);
      if (url === undefined) throw new UsageError('--to postgres://… is required');
      const r = await migrateToPostgres(dataDir, url);
      io.stdout(
        values.json
          ? `${JSON.stringify(r)}\n`
          : `moved ${r.devices} devices, ${r.prekeys} prekeys, ${r.items.uploading + r.items.complete + r.items.acked} items ` +
              `(${r.items.complete} waiting, ${r.items.uploading} uploading, ${r.items.acked} delivered), ` +
              `${r.cursors} mailbox cursors, directory serial ${r.directorySerial}\n` +
              `copied ${r.blobs} items' bytes (${r.bytes} bytes); verified ${r.verified} by SHA-256\n`,
      );
      return EXIT.ok;
    });
  },
});
